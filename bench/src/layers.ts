/**
 * `pnpm --filter @keyscope/bench layers [credential] [rounds]`: where the time of one guarded
 * request goes, layer by layer, on Express 5. One server (`servers/layers-express.ts`) serves the
 * same route behind the hand-written floor, the minimal jose middleware, keyscope's core alone and
 * the full `requireScope()`; each is driven in turn (10 connections, 1 s slices, order reversed
 * every round) and charged the server CPU time it used per request (schedstat, all threads), which
 * other jobs on the machine disturb far less than requests/s. Prints the median µs per request of
 * each layer, its cost over `/health`, and the auth overhead ratio it implies.
 *
 * With `BENCH_COMPARE_TSCONFIG=<tsconfig.json>` a second server runs beside the first with that
 * tsconfig (whose `paths` may point `@keyscope/core` at another build, such as the code before a
 * change), and the two are measured interleaved, slice after slice: a before/after comparison that
 * the drift of a shared machine does not skew.
 */
import { join } from 'node:path';
import { type Credential, createFixtures } from './fixtures.ts';
import { cleanLogs, load, type Running, start, stop } from './processes.ts';

const credential = (process.argv[2] ?? 'basic') as Credential;
const rounds = Number(process.argv[3] ?? 6);
const compare = process.env.BENCH_COMPARE_TSCONFIG;
const routes = ['/health', '/floor/app_a', '/jose/app_a', '/core/app_a', '/adapter/app_a'].filter(
  (route) => !(route.startsWith('/jose') && credential.startsWith('basic')),
);

const fixtures = createFixtures(300_000);
const command = ['node', '--import', 'tsx', join(import.meta.dirname, 'servers/layers-express.ts')];
const keysFile = credential === 'basic-10k' ? fixtures.manyKeysFile : fixtures.oneKeyFile;
const servers: (Running & { label: string })[] = [];
try {
  servers.push({ label: 'current', ...(await start(command, { KEYSCOPE_KEYS_FILE: keysFile })) });
  if (compare) {
    const other = await start(command, {
      KEYSCOPE_KEYS_FILE: keysFile,
      TSX_TSCONFIG_PATH: compare,
    });
    servers.push({ label: 'compared', ...other });
  }
  const source = fixtures.headers(credential);
  const header = credential === 'jwt-new' || credential === 'basic-10k' ? source : source();
  const perRequest = new Map<string, number[]>();
  for (const { url } of servers) {
    for (const route of routes) {
      await load(`${url}${route}`, 1, route === '/health' ? undefined : header);
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const route of round % 2 ? [...routes].reverse() : routes) {
      for (const { label, url, child } of round % 2 ? [...servers].reverse() : servers) {
        const result = await load(
          `${url}${route}`,
          1,
          route === '/health' ? undefined : header,
          child.pid,
        );
        if (result.bad > 0) throw new Error(`${label} ${route}: ${result.bad} failed requests`);
        const key = `${label} ${route}`;
        perRequest.set(key, [...(perRequest.get(key) ?? []), result.cpuNs / result.total / 1000]);
      }
    }
  }
  const median = (values: readonly number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(`credential ${credential}, ${rounds} rounds, server CPU per request (median)`);
  const labels = servers.map((server) => server.label);
  console.log(
    `| layer | ${labels.map((l) => `${l}: µs per request | over /health | implied ratio`).join(' | ')} |`,
  );
  console.log(`|---|${labels.map(() => '---|---|---').join('|')}|`);
  for (const route of routes) {
    const cells = labels.map((label) => {
      const health = median(perRequest.get(`${label} /health`) as number[]);
      const us = median(perRequest.get(`${label} ${route}`) as number[]);
      return `${us.toFixed(1)} | ${(us - health).toFixed(1)} | ${(health / us).toFixed(2)}`;
    });
    console.log(`| ${route} | ${cells.join(' | ')} |`);
  }
} finally {
  for (const { child } of servers) await stop(child);
  cleanLogs();
}
