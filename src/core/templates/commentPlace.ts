/**
 * Where Insert Bug-Fix Comment puts its block in a Ruby file, from the cursor's line and the
 * line above it. The block never splits a statement, and it stands apart from the code before
 * it the way RuboCop's default layout wants: a blank line after a sibling statement (an `end`,
 * another call), none after the line that opens the body it goes into (`def`, `class`, `do`).
 */

export interface CommentPlace {
  /** The column on the cursor's line where the block goes. */
  character: number;
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
  const character = blank ? cursorCharacter : indentation(line);
  if (above === undefined || above.trim() === '') return { character, blankLineBefore: false };

  // A less indented line above opens the body the block goes into: no blank line after it.
  return { character, blankLineBefore: indentation(above) >= character };
}

function indentation(line: string): number {
  return line.length - line.trimStart().length;
}
