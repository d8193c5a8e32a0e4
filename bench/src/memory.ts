/**
 * Memory under floods: a fresh keyscope Express example per flood is hit for a long run with
 * distinct valid tokens (each seen once, as a JWT per request), distinct valid tokens each sent
 * twice (each one enters the verified-token cache, which must stay within its bounds), unknown key
 * ids (Basic) and unknown `kid`s (JWT), while its resident set is sampled from /proc. Every cache
 * on the path is bounded, so RSS must level off: the second half of a run should add nothing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Fixtures } from './fixtures.ts';
import { start, stop } from './processes.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 15);

/** One flood's figures, in MiB. */
export interface MemoryRow {
  readonly name: string;
  readonly requests: number;
  readonly startMiB: number;
  readonly halfMiB: number;
  readonly peakMiB: number;
  readonly endMiB: number;
}

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: read('VmRSS'), hwm: read('VmHWM') };
}

const b64 = (value: string) => Buffer.from(value).toString('base64url');

/** Runs the floods one after the other, each against a fresh server. */
export async function runMemory(fixtures: Fixtures): Promise<MemoryRow[]> {
  const { key } = fixtures;
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.id }));
  let counter = 0;
  let twice = 0;
  const floods: [string, () => string][] = [
    [
      'distinct valid tokens (JWT)',
      () => {
        const body = b64(JSON.stringify({ scope: 'app', exp, jti: counter++ }));
        const sig = createHmac('sha256', key.secret).update(`${head}.${body}`).digest('base64url');
        return `Bearer ${head}.${body}.${sig}`;
      },
    ],
    [
      'distinct valid tokens, each sent twice (JWT: fills the token cache)',
      () => {
        const body = b64(JSON.stringify({ scope: 'app', exp, jti: Math.floor(twice++ / 2) }));
        const sig = createHmac('sha256', key.secret).update(`${head}.${body}`).digest('base64url');
        return `Bearer ${head}.${body}.${sig}`;
      },
    ],
    [
      'unknown key ids (Basic)',
      () => `Basic ${Buffer.from(`app_${randomBytes(12).toString('hex')}:x`).toString('base64')}`,
    ],
    [
      'unknown kids (JWT)',
      () => {
        const unknown = b64(
          JSON.stringify({ alg: 'HS256', kid: `app_${randomBytes(12).toString('hex')}` }),
        );
        const body = b64(JSON.stringify({ scope: 'app', exp }));
        return `Bearer ${unknown}.${body}.${randomBytes(32).toString('base64url')}`;
      },
    ],
  ];
  const rows: MemoryRow[] = [];
  for (const [name, header] of floods) {
    const { url, child } = await start(
      ['node', '--import', 'tsx', join(repo, 'examples/express/src/server.ts')],
      { KEYSCOPE_KEYS_FILE: fixtures.oneKeyFile },
    );
    try {
      const pid = child.pid as number;
      const startMiB = memoryOf(pid).rss;
      let halfMiB = startMiB;
      const began = Date.now();
      const sampler = setInterval(() => {
        if (Date.now() - began < (FLOOD_SECONDS * 1000) / 2) halfMiB = memoryOf(pid).rss;
      }, 500);
      const result = await autocannon({
        url: `${url}/v2/apps/app_a`,
        connections: 10,
        duration: FLOOD_SECONDS,
        requests: [
          {
            method: 'GET',
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              headers: { ...req.headers, authorization: header() },
            }),
          },
        ],
      });
      clearInterval(sampler);
      const { rss, hwm } = memoryOf(pid);
      rows.push({
        name,
        requests: result.requests.total,
        startMiB,
        halfMiB,
        peakMiB: hwm,
        endMiB: rss,
      });
      console.error(
        `memory ${name}: ${result.requests.total} requests, start ${startMiB.toFixed(1)} MiB, half ${halfMiB.toFixed(1)} MiB, peak ${hwm.toFixed(1)} MiB, end ${rss.toFixed(1)} MiB`,
      );
    } finally {
      await stop(child);
    }
  }
  return rows;
}
