/**
 * `upkeep check`. (Placeholder until the feature lands.)
 */
import type { Command } from 'commander';

export function registerCheckCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('check')
    .description('not built yet')
    .action(() => {
      process.stderr.write('upkeep check: not built yet\n');
      setExitCode(2);
    });
}
