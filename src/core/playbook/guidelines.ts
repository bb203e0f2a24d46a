/**
 * Finds a section of a Markdown document (the guidelines, or a repo doc) by its heading text, so
 * "Open Guideline Section" can show the task's explanation at the right line.
 */
import { headingContent } from '../templates/markdown';

/** Heading text without Markdown decoration or a leading "2." number, lower-cased. */
function normalize(text: string): string {
  return text
    .replace(/[*_`]/g, '')
    .replace(/^\d+\.\s*/, '')
    .trim()
    .toLowerCase();
}

/** The 0-based line of the first heading whose text is `section`, outside code blocks. */
export function findHeadingLine(markdown: string, section: string): number | undefined {
  const wanted = normalize(section);
  let fenced = false;
  const lines = markdown.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading && normalize(headingContent(heading[1])) === wanted) return index;
  }
  return undefined;
}
