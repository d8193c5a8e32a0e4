/**
 * The documented start command of every example server (contract section 5:
 * `pnpm --filter ./examples/<name> start`), run in a process group of its own as a terminal or a
 * process manager runs it, and stopped the way they stop it: SIGTERM or SIGINT (Ctrl-C) to the
 * whole group, pnpm and the server alike. A request is in the server's hands when the signal
 * comes (it got `100 Continue` and the server waits for its body): the server stops listening,
 * answers that request, and only then does the command exit, with code 0.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, createFixture } from '@keyscope/test-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CommandServer, startCommand, startInFlightRequest } from '../src/index.js';

const EXAMPLES = ['express', 'koa', 'fastify', 'node-http'] as const;
const fixture = createFixture();
// An app key reaches every user of its app.
const authorization = basic(fixture.keys.appA.id, fixture.keys.appA.secret);
let dir: string;
let keysFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-signals-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(fixture.document), { mode: 0o600 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(EXAMPLES)('pnpm --filter ./examples/%s start', { timeout: 90_000 }, (example) => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s to its process group: answers the request in flight, then exits 0',
    async (signal) => {
      let running: CommandServer | undefined;
      try {
        running = await startCommand(example, { KEYSCOPE_KEYS_FILE: keysFile });
        const { url } = running;
        const pending = await startInFlightRequest(
          `${url}/v2/apps/app_a/users/u_1/messages`,
          { Authorization: authorization, 'Content-Type': 'application/json' },
          '{"text":"sent after the signal"}',
        );
        let answeredAt: number | undefined;
        let exitedAfterMs: number | undefined;
        void running.exited.then(() => {
          if (answeredAt !== undefined) exitedAfterMs = Date.now() - answeredAt;
        });

        running.signalGroup(signal);
        // Draining: no new connection is accepted.
        await vi.waitFor(
          async () => {
            await expect(
              fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }),
            ).rejects.toThrow();
          },
          { timeout: 20_000, interval: 50 },
        );
        const answer = await pending.finish();
        answeredAt = Date.now();
        expect(answer.status).toBe(201);
        expect(JSON.parse(answer.body)).toEqual({ received: { text: 'sent after the signal' } });

        const exit = await running.exited;
        // The command ended after the answer, not before (pnpm used to quit while Koa drained).
        expect(exitedAfterMs).toBeDefined();
        console.log(`[signals] ${example}, ${signal}: exited ${exitedAfterMs} ms after the answer`);
        expect(exit, JSON.stringify(running.output)).toEqual({ code: 0, signal: null });
        expect(running.output.stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n/);
      } finally {
        running?.kill();
      }
    },
  );
});
