/**
 * Stops the tools' process groups when this process dies without the chance to stop them
 * itself: SIGKILL from `timeout -s KILL` or a CI runner, the out-of-memory killer, a crash. A
 * pg_dump or pg_restore left running would go on holding locks and connections on the server
 * with nobody to see its end.
 *
 * On the first tool a small shell process starts in a session of its own (so a Ctrl-C or a
 * signal to this process's group does not reach it). It reads `+GROUP` and `-GROUP` lines from a
 * pipe as tools start and end; when the pipe closes, which the kernel does when this process is
 * gone however it ended, it sends SIGTERM to the groups still listed, then SIGKILL after the
 * grace time. A shell loop rather than a second Node.js process: it costs a few hundred
 * kilobytes and starts in a millisecond, and it needs nothing but /bin/sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Seconds between SIGTERM and SIGKILL, as runTool waits when it stops a tool itself. */
const GRACE_SECONDS = '1.5';

// Group ids are only ever the decimal pids written below, never text from elsewhere.
const WATCHER = `
groups=' '
while IFS= read -r line; do
  case $line in
    +*) groups="$groups\${line#+} " ;;
    -*) id=\${line#-}
        case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
[ -n "\${groups# }" ] || exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep ${GRACE_SECONDS}
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

/** The watcher; null when it could not start (the tools then run without it, as before). */
let watcher: ChildProcess | null | undefined;

function started(): ChildProcess | null {
  if (watcher !== undefined) return watcher;
  if (process.platform === 'win32') return (watcher = null);
  try {
    const child = spawn('/bin/sh', ['-c', WATCHER], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', () => {
      watcher = null;
    });
    // A watcher gone early (killed by hand) must not throw EPIPE at this process.
    child.stdin?.on('error', () => undefined);
    // Neither the watcher nor its pipe keeps this process alive: its exit is what they wait for.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watcher = child;
  } catch {
    watcher = null;
  }
  return watcher;
}

/**
 * Starts the watcher if it is not running: called before a tool starts, so that a kill
 * arriving while the tool starts finds the watcher there already.
 */
export function prepareGuard(): void {
  started();
}

/** Has the group `pgid` (a tool started detached, its pid) stopped if this process dies. */
export function guardGroup(pgid: number): void {
  started()?.stdin?.write(`+${pgid}\n`);
}

/** The group ended or was stopped here: the watcher forgets it (its id may be reused). */
export function releaseGroup(pgid: number): void {
  if (watcher) watcher.stdin?.write(`-${pgid}\n`);
}
