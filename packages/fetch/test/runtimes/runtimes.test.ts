/**
 * The shared case table of the test kit, run against `@keyscope/fetch` on real Bun, real Deno and
 * real workerd (Cloudflare's Workers runtime), each installed from the npm registry as a pinned dev
 * dependency of this package. Each runtime runs a bundle of the package's case-table app, built
 * from the built `@keyscope/fetch` and `@keyscope/core` (`pnpm build` first), with an in-memory
 * store of the table's keys document; one process per runtime answers every case, through a
 * `node:http` proxy that forwards each request untouched and reports the runtime's handler runs to
 * the case's probe. workerd runs the bundle as a Worker module with the `nodejs_compat` flag.
 *
 * One difference, of the runtime and not of keyscope: workerd removes an empty `Authorization:`
 * field before the Worker sees it, so that request is answered as one without credentials (401,
 * both challenges) instead of 400. The table runs without that case on workerd, and a test of its
 * own pins what workerd answers (the fetch README says so).
 *
 * A runtime that is missing is a failure under `CI=true`, and a visible skip otherwise.
 */
import { CHALLENGES, caseTable, createFixture, runCaseTable } from '@keyscope/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { proxyTo } from './support/proxy.js';
import { find, type Running, type RuntimeName, start } from './support/runtimes.js';

const VERSIONS: Record<RuntimeName, RegExp> = {
  bun: /^1\.4\.4$/,
  deno: /^deno 2\.9\.6 /,
  workerd: /^workerd 2026-11-17$/,
};

for (const name of ['bun', 'deno', 'workerd'] as const) {
  const found = find(name);
  if (!found.ok) {
    if (process.env.CI === 'true') {
      it(`${name} is installed`, () => {
        throw new Error(`${name} cannot run: ${found.reason}`);
      });
    } else {
      describe.skip(`${name} (not runnable here: ${found.reason})`, () => {
        it('runs the case table', () => {});
      });
    }
    continue;
  }

  it(`${name} is the pinned version`, () => {
    expect(found.version).toMatch(VERSIONS[name]);
  });

  const EMPTY = 'malformed: empty Authorization value: 400';
  if (name === 'workerd') {
    it('workerd removes an empty Authorization field: 401 with both challenges, no handler ran', async () => {
      const workerd = await start(name, found.binary, createFixture().document);
      try {
        const res = await fetch(`${workerd.origin}/v2/apps/app_a`, {
          headers: { authorization: '' },
        });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe(CHALLENGES.both);
        expect(await (await fetch(`${workerd.origin}/__probe`)).json()).toEqual([]);
      } finally {
        await workerd.stop();
      }
    });

    it('workerd needs nodejs_compat: without it the Worker does not load (the fetch README says so)', async () => {
      const started = start(name, found.binary, createFixture().document, {
        compatibilityFlags: [],
      });
      await expect(started).rejects.toThrow(/No such module "node:/);
    });
  }

  let running: { document: unknown; runtime: Promise<Running> } | undefined;
  afterAll(async () => {
    await (await running?.runtime)?.stop();
  });

  runCaseTable(
    `@keyscope/fetch on ${name}`,
    async (_store, probe, { fixture, storeFault }) => {
      // One process for the whole table, started with the table's keys document.
      if (running?.document !== fixture.document) {
        await (await running?.runtime)?.stop();
        running = {
          document: fixture.document,
          runtime: start(name, found.binary, fixture.document),
        };
      }
      const { origin } = await running.runtime;
      return proxyTo(origin, probe, storeFault);
    },
    { cases: caseTable().filter((c) => name !== 'workerd' || c.name !== EMPTY) },
  );
}
