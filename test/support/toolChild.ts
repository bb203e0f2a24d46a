/**
 * A process that runs one tool with runTool and waits: the tools test kills it with SIGKILL to
 * see that the tool does not outlive it. Prints `started` once runTool has started the tool.
 * Run: node --import tsx toolChild.ts TOOL CWD.
 */
import { runTool } from '../../src/core/checks/toolProcess';

const [command, cwd] = process.argv.slice(2);
void runTool({ command, args: [], cwd, signal: new AbortController().signal });
process.stdout.write('started\n');
