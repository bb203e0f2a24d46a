/**
 * The aliases of a parsed YAML document, read without copying anything: the node each alias
 * names, and how many values reading a node makes once its aliases are followed. A file a repo
 * provides may name one block many times over ("billion laughs"), so a reader counts what it
 * follows rather than trusting the file's length.
 */
import { isAlias, isCollection, isNode, isPair } from 'yaml';
import type { Alias, Node } from 'yaml';

/**
 * Most values following aliases may add to a file's own before a reader stops. yaml limits how
 * many aliases an alias may hold, not how large the node it names is: a 2,000-key default block
 * merged into 2,000 environments of a database.yml, 50 KB of YAML, took a minute to read.
 */
export const MAX_ALIAS_VALUES = 100_000;

interface YamlAliases {
  /** The node each alias names; an alias with no anchor of its name before it is absent. */
  targets: Map<Alias, Node>;
  /** How many values reading each node makes, an alias counting the values of its node. */
  sizes: Map<unknown, number>;
  /** How many values the document holds itself, aliases counting one. */
  own: number;
}

/**
 * Linear: a node is counted once, when it is first met, and an alias comes after its anchor, so
 * the node it names is known and counted by then (an alias inside its own node counts 1). An
 * alias names the latest anchor of its name before it, as YAML resolves them; yaml's own
 * Alias.resolve searches the whole document for each alias, which is quadratic.
 */
export function readAliases(root: unknown): YamlAliases {
  const anchored = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const sizes = new Map<unknown, number>();
  let own = 0;
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = anchored.get(node.source);
      if (target) targets.set(node, target);
      return sizes.get(target) ?? 1;
    }
    own++;
    if (isNode(node) && node.anchor) anchored.set(node.anchor, node);
    let total = 1;
    if (isCollection(node)) {
      for (const item of node.items) {
        total += isPair(item) ? size(item.key) + size(item.value) : size(item);
      }
    }
    sizes.set(node, total);
    return total;
  };
  size(root);
  return { targets, sizes, own };
}
