/**
 * The host's checks on what the webview asks it to open: only http(s) links go to the browser,
 * and only files inside the workspace (after resolving symlinks) open in the editor.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isInside } from '../util/paths';

/** An http or https URL without embedded credentials, or undefined for anything else. */
export function safeExternalUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  return url;
}

/**
 * The absolute path of `file` (workspace-relative or absolute) when it exists and lies inside
 * `workspace` once symlinks are resolved; undefined otherwise.
 */
export async function resolveInsideWorkspace(
  workspace: string,
  file: string,
): Promise<string | undefined> {
  if (file.includes('\0')) return undefined;
  const root = await fs.realpath(workspace).catch(() => undefined);
  if (!root) return undefined;
  // Resolve symlinks first, then compare real paths: a link may not lead out of the workspace.
  const real = await fs.realpath(path.resolve(workspace, file)).catch(() => undefined);
  if (!real || !isInside(root, real)) return undefined;
  const stat = await fs.stat(real).catch(() => undefined);
  return stat?.isFile() ? real : undefined;
}
