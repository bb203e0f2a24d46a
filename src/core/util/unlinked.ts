/**
 * Text for a VS Code notification, which reads its message as linked text: `[label](command:…)`
 * there (or `https://…`, `file:…`) is a link, and a command link runs its command, with the
 * arguments it names, when clicked. Text a repo wrote (a task or check title, a guideline heading,
 * an id in a state file, a path a link names) keeps its brackets but links nothing: a space parts
 * each `](`.
 */
export function unlinked(text: string): string {
  return text.replace(/\]\(/g, '] (');
}
