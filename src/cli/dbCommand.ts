/**
 * `upkeep db`. (Placeholder until the feature lands.)
 */
import type { Command } from 'commander';

export function registerDbCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('db')
    .description('not built yet')
    .action(() => {
      process.stderr.write('upkeep db: not built yet\n');
      setExitCode(2);
    });
}
