/**
 * Test support for running the real Express example server as a child process: the shared helpers
 * of `@keyscope/test-kit`, bound to this example's directory.
 */
import { fileURLToPath } from 'node:url';
import { serverProcess } from '@keyscope/test-kit';

export type { RunningServer } from '@keyscope/test-kit';

/** The example's directory (where its package.json is). */
export const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

export const { startServer, runToExit } = serverProcess(EXAMPLE_DIR);
