/**
 * Runs the case table against one server factory, inside the calling test file. Each case gets a
 * fresh fixture store, a fresh probe and a fresh server from the factory, goes through supertest,
 * and is checked for its status, `errors[0].code`, exact `WWW-Authenticate` (or its absence),
 * `Content-Type: application/json` (exactly, on a refusal), the absence of every secret and token in the answer, and, for
 * every refusal, that the protected handler never ran. The same server must then answer a valid
 * request. A last test sends every refused request to one server and checks it still serves.
 */
import type { RequestListener, Server } from 'node:http';
import type { KeyStore } from '@keyscope/core';
import request, { type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Case, type CaseHeaders, caseTable } from './case-table.js';
import { defineContractRoutes } from './contract-routes.js';
import { basic } from './credentials.js';
import { createFixture, type Fixture } from './fixture.js';
import { type Listening, withListening } from './internal/listen.js';
import { createProbe, type Probe } from './probe.js';
import { faultyStore, STORE_DOWN, type StoreFault } from './test-store.js';

/**
 * What a case sets up, for a server that cannot take `store` itself (one in another runtime, which
 * gets the fixture's keys document and is told which store operation fails).
 */
export interface CaseSetup {
  /** The fixture `store` was made from. */
  readonly fixture: Fixture;
  /** The store operation that fails in this case, if any. */
  readonly storeFault: StoreFault | undefined;
}

/**
 * Builds the server under test: it mounts the contract's routes (see `defineContractRoutes`) on
 * `store`, and each protected handler calls `probe.ran(routeName)`.
 */
export type ServerFactory = (
  store: KeyStore,
  probe: Probe,
  setup: CaseSetup,
) => Server | RequestListener | Promise<Server | RequestListener>;

/** Options of {@link runCaseTable}. */
export interface RunCaseTableOptions {
  /** The cases to run (default: the whole table). */
  readonly cases?: readonly Case[];
}

interface Sent {
  readonly response: Response;
  /** Every credential, token and signature the request carried. */
  readonly sensitive: readonly string[];
}

/**
 * Registers one vitest test per case (and a final "keeps serving" test) under `describe(name)`.
 *
 * @example
 * ```ts
 * runCaseTable('express 5', (store, probe) => {
 *   const app = express();
 *   mountContractRoutes(app, store, probe);
 *   return app;
 * });
 * ```
 */
export function runCaseTable(
  name: string,
  makeServer: ServerFactory,
  options: RunCaseTableOptions = {},
): void {
  const cases = options.cases ?? caseTable();
  describe(name, () => {
    let fixture: Fixture;
    beforeAll(() => {
      fixture = createFixture();
    });

    for (const c of cases) {
      it(c.name, async () => {
        const base = fixture.createStore();
        const store = c.storeFault ? faultyStore(base, c.storeFault) : base;
        const probe = createProbe();
        const setup = { fixture, storeFault: c.storeFault };
        await withListening(await makeServer(store, probe, setup), async (server) => {
          const sent = await send(server, c, await c.headers(fixture.keys));
          check(c, sent, fixture);
          if (c.expect.status >= 400 && !c.handlerRuns) {
            expect(probe.calls, 'the protected handler ran on a refused request').toEqual([]);
          } else {
            expect(probe.calls, 'the handler of a successful request').toEqual(handlerOf(c));
          }
          await stillServes(server, fixture, c.storeFault === undefined);
        });
      });
    }

    it('keeps serving after every refused request', async () => {
      const refusals = cases.filter((c) => c.expect.status >= 400 && !c.storeFault);
      const probe = createProbe();
      const setup = { fixture, storeFault: undefined };
      await withListening(await makeServer(fixture.createStore(), probe, setup), async (server) => {
        for (const c of refusals) {
          const sent = await send(server, c, await c.headers(fixture.keys));
          expect(sent.response.status, c.name).toBe(c.expect.status);
        }
        expect(probe.calls).toEqual([]);
        await stillServes(server, fixture, true);
      });
    });
  });
}

const ROUTES = defineContractRoutes({
  store: { findKey: async () => undefined, appsFor: async () => [] },
}).map((route) => ({ route, match: new RegExp(`^${route.path.replace(/:\w+/g, '[^/]+')}$`) }));

/** The protected handler a case reaches: `[route name]`, or `[]` for an unguarded route. */
function handlerOf(c: Case): string[] {
  const found = ROUTES.find(({ route, match }) => route.method === c.method && match.test(c.path));
  if (found === undefined) throw new Error(`case "${c.name}": no contract route for ${c.path}`);
  return found.route.guard === 'none' ? [] : [found.route.name];
}

async function send(server: Listening, c: Case, headers: CaseHeaders): Promise<Sent> {
  const agent = request(server.url);
  let test = c.method === 'POST' ? agent.post(c.path) : agent.get(c.path);
  const sensitive: string[] = [];
  for (const [field, value] of Object.entries(headers)) {
    // An array sends one header line per value (duplicate fields).
    test = test.set(field, value as string);
    for (const one of typeof value === 'string' ? [value] : value) {
      const credentials = one.slice(one.indexOf(' ') + 1);
      sensitive.push(credentials, credentials.split('.')[2] ?? '');
    }
  }
  if (c.body !== undefined) test = test.send(c.body as object);
  return { response: await test, sensitive: sensitive.filter((s) => s.length >= 16) };
}

function check(c: Case, { response, sensitive }: Sent, fixture: Fixture): void {
  const { expect: want } = c;
  expect(response.status, 'status').toBe(want.status);
  // A refusal is exactly `application/json` (no charset: RFC 8259 defines none); a handler's own
  // 2xx answer is the framework's business.
  if (want.status >= 400) {
    expect(response.headers['content-type'], 'content type').toBe('application/json');
  } else {
    expect(response.headers['content-type'], 'content type').toMatch(/^application\/json(;|$)/);
  }
  expect(response.headers['www-authenticate'], 'WWW-Authenticate').toBe(want.wwwAuthenticate);
  if (want.status >= 400) {
    expect(want.code, 'a refusal case must name its code').toBeDefined();
    expect(response.body).toStrictEqual({
      errors: [{ code: want.code, title: want.title ?? expect.any(String) }],
    });
  }
  if (c.storeFault !== undefined) {
    expect(response.text, "the store's own error reached the caller").not.toContain(STORE_DOWN);
  }
  want.bodyCheck?.(response.body, fixture.keys);
  const answer = `${JSON.stringify(response.headers)}\n${response.text}`;
  for (const secret of [...fixture.secrets, ...sensitive]) {
    expect(answer.includes(secret), 'a secret or token leaked into the answer').toBe(false);
  }
}

/** The same server answers a valid request after the case. */
async function stillServes(
  server: Listening,
  fixture: Fixture,
  storeWorks: boolean,
): Promise<void> {
  const agent = request(server.url);
  const health = await agent.get('/health');
  expect(health.status).toBe(200);
  expect(health.body).toStrictEqual({ ok: true });
  if (storeWorks) {
    const { appA } = fixture.keys;
    const whoami = await agent.get('/v2/whoami').set('Authorization', basic(appA.id, appA.secret));
    expect(whoami.status).toBe(200);
    expect(whoami.body).toMatchObject({ keyId: appA.id, scope: 'app' });
  }
}
