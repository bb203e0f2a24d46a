/**
 * `upkeep logs`. (Placeholder until the feature lands.)
 */
import type { Command } from 'commander';

export function registerLogsCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('logs')
    .description('not built yet')
    .action(() => {
      process.stderr.write('upkeep logs: not built yet\n');
      setExitCode(2);
    });
}
