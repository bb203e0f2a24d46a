/**
 * The first line of a yaml parse error, in the words of a maintainer who never used the library:
 * one of its messages names its own API ("please use YAML.parseAllDocuments()").
 */
import type { YAMLError } from 'yaml';

/** What the error says; a file of two documents is told so, with what to do. */
export function yamlErrorText(error: Pick<YAMLError, 'code' | 'message'>): string {
  if (error.code === 'MULTIPLE_DOCS') {
    return 'a second YAML document starts at this --- line; the file must hold one document';
  }
  return error.message.split('\n')[0];
}
