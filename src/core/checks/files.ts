/**
 * Reading the repo's files for checks without trusting them: only regular files, only up to a
 * size, so a config committed as a symlink to /dev/zero or a huge file cannot exhaust memory.
 */
import { readTextFileLimited } from '../util/textFile';

/** Config, docs and reports are far smaller; a larger file is refused, not read. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * The file's text, or undefined when it does not exist. Throws `config` for something that is
 * not a regular file (a device, a folder, a FIFO) or is larger than `maxBytes`; the shared
 * reader in util/textFile.ts does the checks, as for the playbook and database.yml.
 */
export function readTextFile(file: string, maxBytes = MAX_TEXT_BYTES): Promise<string | undefined> {
  return readTextFileLimited(file, maxBytes);
}

const RUBY_COMMENT = /#(?![{]).*$/;

/**
 * A line of the repo's Ruby without its comment, for checks that read Ruby without running it.
 * `#{` opens an interpolation, not a comment; a `#` inside a string is taken for one (rare in
 * the config lines these checks look for).
 */
export function withoutRubyComment(line: string): string {
  return line.replace(RUBY_COMMENT, '');
}
