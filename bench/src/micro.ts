/**
 * Micro benchmarks (mitata): the cost of one `authenticate()` call of `@keyscope/core` over a
 * memory store (Basic, a JWT seen before, a JWT seen for the first time), and of a bare jose
 * `jwtVerify` for reference, each as a ratio to a minimal `node:crypto` HS256 check of the same
 * token (createHmac + timingSafeEqual) measured in the same process. mitata runs on a CPU-time
 * clock (`process.cpuUsage`, every thread of the process, so the libuv pool that webcrypto uses
 * counts) with 10 calls in flight, like the 10 connections of the HTTP runs: a wall clock would
 * mostly measure how fast a busy machine wakes the pool's threads up. Three interleaved rounds;
 * the median is quoted.
 */
import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';
import { createAuthenticator, createMemoryStore } from '@keyscope/core';
import { jwtVerify } from 'jose';
import { measure } from 'mitata';
import { basicHeader, mint, newKey } from './fixtures.ts';

/** One row of the micro table. */
export interface MicroRow {
  readonly name: string;
  readonly ratio: number;
  readonly ns: number;
}

const ROUNDS = 3;
const IN_FLIGHT = 10;
/** CPU time used by this process so far, in ns, as mitata's clock. */
const cpuClock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function runMicro(): Promise<MicroRow[]> {
  const key = newKey();
  const store = createMemoryStore({
    version: 1,
    apps: [{ id: 'app_a', accountId: 'acc_1' }],
    keys: [{ ...key, entity: { type: 'app', id: 'app_a' } }],
  });
  const authenticator = createAuthenticator({ store });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const token = mint(key, { scope: 'app', exp });
  const POOL = 200_000;
  // Flat strings, as an HTTP parser hands them over (a template literal makes a rope).
  const flat = (text: string) => Buffer.from(text, 'latin1').toString('latin1');
  const fresh = Array.from({ length: POOL }, (_, i) =>
    flat(`Bearer ${mint(key, { scope: 'app', exp, jti: i })}`),
  );
  let next = 0;
  // jose keeps nothing between calls: its pool may wrap.
  let nextForJose = 0;
  const basic = basicHeader(key);
  const [h, p, s] = token.split('.') as [string, string, string];
  const expected = Buffer.from(s, 'base64url');
  const cryptoKey = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(key.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );

  const floor = () => {
    const mac = createHmac('sha256', key.secret).update(`${h}.${p}`).digest();
    return timingSafeEqual(mac, expected);
  };
  const cases: [string, () => unknown][] = [
    ['keyscope Basic', () => authenticator.authenticate({ authorization: basic })],
    [
      'keyscope JWT seen before',
      () => authenticator.authenticate({ authorization: `Bearer ${token}` }),
    ],
    [
      'keyscope JWT seen for the first time',
      () => authenticator.authenticate({ authorization: fresh[next++ % POOL] as string }),
    ],
    [
      'jose jwtVerify of a token seen for the first time, imported CryptoKey (reference)',
      () =>
        jwtVerify((fresh[nextForJose++ % POOL] as string).slice(7), cryptoKey, {
          algorithms: ['HS256'],
        }),
    ],
  ];
  const ratios = new Map<string, number[]>();
  const times = new Map<string, number[]>();
  const floorTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const base = (await measure(floor, { now: cpuClock })).avg;
    floorTimes.push(base);
    for (const [name, fn] of cases) {
      const avg = (await measure(fn, { now: cpuClock, concurrency: IN_FLIGHT })).avg / IN_FLIGHT;
      ratios.set(name, [...(ratios.get(name) ?? []), avg / base]);
      times.set(name, [...(times.get(name) ?? []), avg]);
    }
  }
  if (next > POOL) console.error(`micro: the fresh token pool wrapped (${next} calls)`);
  const rows: MicroRow[] = [
    { name: 'minimal node:crypto HS256 check (baseline)', ratio: 1, ns: median(floorTimes) },
  ];
  for (const [name] of cases) {
    rows.push({
      name,
      ratio: median(ratios.get(name) ?? []),
      ns: median(times.get(name) ?? []),
    });
  }
  for (const row of rows) console.error(`micro ${row.name}: ${row.ratio.toFixed(2)}`);
  return rows;
}
