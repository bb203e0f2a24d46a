/**
 * `npm run demo`: a real editor (code-server) with Upkeep installed, on a demo Rails workspace
 * backed by an embedded PostgreSQL. Prints one URL; Ctrl-C stops everything it started and
 * removes its temporary files.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  leaveSignalsToCaller,
  startEmbeddedPostgres,
  type RunningPostgres,
} from './lib/embeddedPostgres';
import { createDemoWorkspace, demoDatabaseOn, loadDemoDatabase } from './lib/demoWorkspace';
import { ensureCodeServer, startCodeServer } from './lib/codeServer';

const ROOT = path.join(__dirname, '..');

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  let stoppingSince: number | undefined;
  const stop = async (code: number): Promise<void> => {
    if (stoppingSince !== undefined) return;
    stoppingSince = Date.now();
    console.log('\nStopping the demo…');
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.exit(code);
  };
  // The demo stops its servers and removes its folders itself, and exits only after that.
  leaveSignalsToCaller();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stoppingSince === undefined) return void stop(0);
      // tsx sends the signal once more when the process is slow to acknowledge it: a repeat
      // within half a second is that, not the user's second Ctrl-C.
      if (Date.now() - stoppingSince < 500) return;
      // A second Ctrl-C while a cleanup hangs: leave now (code-server's exit hook still kills
      // the editor), saying what may be left.
      console.log('Stopped without finishing the cleanup: temporary folders may remain.');
      process.exit(130);
    });
  }

  try {
    console.log('Starting the embedded PostgreSQL…');
    const server: RunningPostgres = await startEmbeddedPostgres();
    cleanups.push(() => server.stop());
    const db = demoDatabaseOn(server);
    await loadDemoDatabase(db);

    const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'upkeep-demo-'));
    cleanups.push(() => fs.rm(temp, { recursive: true, force: true }));
    const workspace = path.join(temp, 'thembooking');
    await createDemoWorkspace(workspace, db);
    console.log(`Demo workspace: ${workspace}`);

    console.log('Preparing code-server (the first run installs it into a cache folder)…');
    await ensureCodeServer();
    const editor = await startCodeServer({ workspace, extensionDir: ROOT });
    cleanups.push(() => editor.stop());

    console.log(`\nUpkeep demo is ready: ${editor.url}\n`);
    console.log('Open the Upkeep icon in the activity bar. Press Ctrl-C to stop.');
  } catch (error) {
    console.error(
      `The demo could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    await stop(1);
  }
}

void main();
