/**
 * Memory under floods: the keyscope Express example is hit with a long run of distinct valid
 * tokens, then of unknown key ids (Basic) and unknown `kid`s (JWT); the server's resident set is
 * sampled from /proc while it runs. Caches must stay bounded, so the peak must level off.
 */
import type { ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 20);

type Start = (
  command: string[],
  env: Record<string, string>,
) => Promise<{ url: string; child: ChildProcess }>;

function rssMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: read('VmRSS'), hwm: read('VmHWM') };
}

export async function runMemory(
  start: Start,
  keysFile: string,
  key: { id: string; secret: string },
) {
  const b64 = (v: string) => Buffer.from(v).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  let counter = 0;
  const floods: [string, () => string][] = [
    [
      'distinct valid tokens',
      () => {
        const head = b64(JSON.stringify({ alg: 'HS256', kid: key.id }));
        const body = b64(JSON.stringify({ scope: 'app', exp, jti: counter++ }));
        return `Bearer ${head}.${body}.${createHmac('sha256', key.secret).update(`${head}.${body}`).digest('base64url')}`;
      },
    ],
    [
      'unknown key ids (Basic)',
      () => `Basic ${Buffer.from(`app_${randomBytes(12).toString('hex')}:x`).toString('base64')}`,
    ],
    [
      'unknown kids (JWT)',
      () => {
        const head = b64(
          JSON.stringify({ alg: 'HS256', kid: `app_${randomBytes(12).toString('hex')}` }),
        );
        const body = b64(JSON.stringify({ scope: 'app', exp }));
        return `Bearer ${head}.${body}.${randomBytes(32).toString('base64url')}`;
      },
    ],
  ];
  const rows = [];
  for (const [name, header] of floods) {
    const { url, child } = await start(
      ['node', '--import', 'tsx', join(repo, 'examples/express/src/server.ts')],
      { KEYSCOPE_KEYS_FILE: keysFile },
    );
    const pid = child.pid as number;
    const startMiB = rssMiB(pid).rss;
    const result = await autocannon({
      url: `${url}/v2/apps/app_a`,
      connections: 10,
      duration: FLOOD_SECONDS,
      requests: [
        {
          method: 'GET',
          setupRequest: (req: autocannon.Request) => ({
            ...req,
            headers: { authorization: header() },
          }),
        },
      ],
    });
    const { rss, hwm } = rssMiB(pid);
    child.kill('SIGTERM');
    rows.push({ name, requests: result.requests.total, startMiB, peakMiB: hwm, endMiB: rss });
    console.error(`memory ${name}: start ${startMiB.toFixed(1)} MiB, peak ${hwm.toFixed(1)} MiB`);
  }
  return rows;
}
