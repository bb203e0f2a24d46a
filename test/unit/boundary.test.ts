/**
 * The core never depends on the editor: nothing under src/core imports `vscode`, so the CLI
 * and the tests can use it directly.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const CORE = path.join(__dirname, '../../src/core');
const IMPORTS_VSCODE = /(?:from\s+|require\(\s*|import\(\s*)['"]vscode['"]/;

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return Promise.resolve(/\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : []);
    }),
  );
  return nested.flat();
}

describe('src/core boundary', () => {
  it('has no file that imports vscode', async () => {
    const files = await sourceFiles(CORE);
    assert.ok(files.length > 3, 'expected to find the core sources');
    const offenders: string[] = [];
    for (const file of files) {
      if (IMPORTS_VSCODE.test(await fs.readFile(file, 'utf8'))) offenders.push(file);
    }
    assert.deepEqual(offenders, []);
  });

  it('detects an import of vscode in any form', () => {
    assert.ok(IMPORTS_VSCODE.test("import * as vscode from 'vscode';"));
    assert.ok(IMPORTS_VSCODE.test('const v = require("vscode")'));
    assert.ok(!IMPORTS_VSCODE.test("import { x } from './vscodeish';"));
  });
});
