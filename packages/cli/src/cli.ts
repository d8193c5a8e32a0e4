/**
 * The `keyscope` executable: runs `runCli` with the process's arguments, streams and environment,
 * and exits with its code. A closed stdout (`keyscope keys list | head -1`) ends it quietly.
 */
import { runCli } from './run-cli.js';

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
