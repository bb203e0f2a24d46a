/**
 * The mocha hooks of a `describe` whose tests share one real editor: started before them,
 * stopped after, and a screenshot and the Upkeep log for each test that fails.
 */
import type { Page } from 'playwright-core';
import { reportFailure } from './editor';

/** What `startFolderEditor` and `startDemoEditor` both give. */
export interface SuiteEditor {
  page: Page;
  stop(): Promise<void>;
}

/**
 * Registers the hooks in the calling `describe`, whose timeout they run under. `start` may set
 * up more than the editor (a database, a file) before it returns it; `name` names the failure
 * screenshot. The getter is for the tests: the editor is there only once `before` has run.
 */
export function editorPerSuite<E extends SuiteEditor>(
  name: string,
  start: () => Promise<E>,
): () => E {
  let editor: E | undefined;
  before(async () => {
    editor = await start();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && editor) await reportFailure(editor.page, name);
  });
  after(async () => {
    await editor?.stop();
  });
  return () => {
    if (!editor) throw new Error(`the editor of "${name}" did not start`);
    return editor;
  };
}
