/**
 * Keeps the shipped JSON Schema (media/playbook.schema.json) and the loader in agreement: the same
 * keys at every place, the same tiers, check kinds, built-in check ids and default task ids.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CUSTOM_CHECK_KINDS, PLAYBOOK_KEYS } from '../../../src/core/playbook/loader';
import { BUILTIN_CHECK_IDS } from '../../../src/core/playbook/checkIds';
import { defaultPlaybook } from '../../../src/core/playbook/defaultPlaybook';
import { TIER_IDS } from '../../../src/core/playbook/model';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  anyOf?: SchemaNode[];
  enum?: unknown[];
  $ref?: string;
  items?: SchemaNode;
  required?: string[];
}

const root = path.join(__dirname, '../../..');
const schema = JSON.parse(
  readFileSync(path.join(root, 'media/playbook.schema.json'), 'utf8'),
) as SchemaNode & { definitions: Record<string, SchemaNode> };
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { yamlValidation: { fileMatch: string; url: string }[] };
};

function definition(name: string): SchemaNode {
  const node = schema.definitions[name];
  assert.ok(node, `schema has no definition "${name}"`);
  return node;
}

/** The object variant of a definition that may also be a plain string. */
function objectOf(node: SchemaNode): SchemaNode {
  return node.anyOf?.find((variant) => variant.type === 'object') ?? node;
}

function keysOf(node: SchemaNode): string[] {
  assert.equal(node.additionalProperties, false, 'the loader warns about unknown keys');
  return Object.keys(node.properties ?? {}).sort();
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('playbook schema and loader', () => {
  it('is the schema the manifest registers for .upkeep/playbook.yaml', () => {
    const entry = manifest.contributes.yamlValidation.find((item) =>
      item.fileMatch.includes('.upkeep/playbook.yaml'),
    );
    assert.equal(entry?.url, './media/playbook.schema.json');
  });

  it('accepts the same keys at every place', () => {
    assert.deepEqual(keysOf(schema), sorted(PLAYBOOK_KEYS.root));
    assert.deepEqual(keysOf(definition('thresholds')), sorted(PLAYBOOK_KEYS.thresholds));
    assert.deepEqual(keysOf(definition('tier')), sorted(PLAYBOOK_KEYS.tier));
    assert.deepEqual(keysOf(definition('check')), sorted(PLAYBOOK_KEYS.check));
    assert.deepEqual(keysOf(definition('expect')), sorted(PLAYBOOK_KEYS.expect));
    assert.deepEqual(keysOf(definition('task')), sorted(PLAYBOOK_KEYS.task));
    assert.deepEqual(keysOf(objectOf(definition('guideline'))), sorted(PLAYBOOK_KEYS.guideline));
    assert.deepEqual(keysOf(objectOf(definition('item'))), sorted(PLAYBOOK_KEYS.item));
    assert.deepEqual(keysOf(definition('record')), sorted(PLAYBOOK_KEYS.record));
  });

  it('knows the same tiers, check kinds, check ids and default tasks', () => {
    assert.deepEqual(keysOf(schema.properties!.tiers), sorted(TIER_IDS));
    assert.deepEqual(definition('tierId').enum, [...TIER_IDS]);
    assert.deepEqual(definition('check').properties!.kind.enum, [...CUSTOM_CHECK_KINDS]);
    assert.deepEqual(definition('checkId').anyOf![0].enum, [...BUILTIN_CHECK_IDS]);
    assert.deepEqual(
      definition('taskId').anyOf![0].enum,
      defaultPlaybook().tasks.map((task) => task.id),
    );
  });

  it('points every $ref at a definition that exists', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.push(value);
        else walk(value);
      }
    };
    walk(schema);
    assert.ok(refs.length > 5);
    for (const ref of refs) {
      assert.match(ref, /^#\/definitions\//);
      definition(ref.slice('#/definitions/'.length));
    }
  });
});
