/**
 * Keeps the README's quick start honest: its `keys.json` and `server.mjs` are written, as shown
 * (on a free port instead of 3000), to a scratch folder inside this package, so that
 * `@keyscope/fastify` resolves to the built package as it would from npm; the server is started
 * with plain `node`, and every `curl` line of the README must answer what the README says. Needs
 * `pnpm build`.
 */
import {
  checkCurl,
  type QuickStartServer,
  readQuickStart,
  serveQuickStart,
} from '@keyscope/test-kit';
import { afterAll, expect, it } from 'vitest';

const quickStart = readQuickStart(new URL('../README.md', import.meta.url));
let server: QuickStartServer | undefined;
afterAll(() => server?.stop());

it('shows keys.json and server.mjs, and curl lines with their answers', () => {
  expect([...quickStart.files.keys()]).toEqual(['keys.json', 'server.mjs']);
  expect(quickStart.curls.length).toBeGreaterThanOrEqual(3);
});

it('serves what the curl lines say', async () => {
  server = await serveQuickStart(quickStart, new URL('..', import.meta.url), [
    process.execPath,
    'server.mjs',
  ]);
  for (const curl of quickStart.curls) await checkCurl(curl, server.origin);
}, 30_000);
