/**
 * Where Insert Bug-Fix Comment puts its block in a Ruby file, from the cursor's line and the
 * line above it, and the block indented for that place. The block never splits a statement,
 * it stands apart from the code before it the way RuboCop's default layout wants (a blank line
 * after a sibling statement such as an `end`, none after the line that opens the body it goes
 * into: `def`, `class`, `do`), and no line it adds ends in whitespace.
 */

export interface CommentPlace {
  /** The whitespace before each non-empty line of the block: the indentation of the code. */
  indent: string;
  /**
   * How many characters at the start of the cursor's line the block replaces: on a blank line
   * the whitespace before the cursor, on a line of code none (its indentation stays after it).
   */
  replace: number;
  /** True when an empty line (no whitespace) must go between the line above and the block. */
  blankLineBefore: boolean;
}

/**
 * `line` is the cursor's line, `above` the one before it (undefined on the first line). On a
 * line that holds code the block goes above that code, at its indentation; on a blank line, at
 * the cursor.
 */
export function bugFixCommentPlace(
  line: string,
  above: string | undefined,
  cursorCharacter: number,
): CommentPlace {
  const blank = line.trim() === '';
  const indent = blank ? line.slice(0, cursorCharacter) : line.slice(0, indentation(line));
  const place = { indent, replace: blank ? indent.length : 0 };
  if (above === undefined || above.trim() === '') return { ...place, blankLineBefore: false };

  // A less indented line above opens the body the block goes into: no blank line after it.
  return { ...place, blankLineBefore: indentation(above) >= indent.length };
}

/** The block with `indent` before each non-empty line; empty lines stay empty. */
export function indentBlock(block: string, indent: string): string {
  return block
    .split('\n')
    .map((line) => (line.trim() ? indent + line : line))
    .join('\n');
}

function indentation(line: string): number {
  return line.length - line.trimStart().length;
}
