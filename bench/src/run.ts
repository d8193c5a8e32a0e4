/**
 * `pnpm bench`: the HTTP yardstick of issue 7. Every target (the keyscope example servers, the
 * peers a user would pick instead, and hand-written floors) runs in its own process on 127.0.0.1
 * and is first checked: it must answer 200 to the right credential and refuse a wrong one, so a
 * target that does not authenticate cannot look fast. Then, for several rounds, autocannon drives
 * 10 connections at each target in turn, in short slices alternating `/health` and the guarded
 * route, so that drift and bursts of load on the shared machine hit both alike. The figure is the
 * auth overhead ratio: requests/s on the guarded route / requests/s on `/health` of the same server
 * in the same round; next to it, the same ratio per CPU-second the server used (requests per
 * server CPU-second, guarded / health), which other jobs on the machine disturb much less. Then
 * the micro benchmarks and the memory floods run, and everything is written to `bench/RESULTS.md`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Credential, createFixtures } from './fixtures.ts';
import { type MemoryRow, runMemory } from './memory.ts';
import { type MicroRow, runMicro } from './micro.ts';
import { CONNECTIONS, cleanLogs, load, type Running, start, stop } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Seconds per route per round, measured in slices of `SLICE` seconds. */
const DURATION = Number(process.env.BENCH_DURATION ?? 2);
// autocannon runs for whole seconds (its ticker is 1 s), so slices are 1 s.
const SLICE = Number(process.env.BENCH_SLICE ?? 1);
const SLICES = Math.max(1, Math.round(DURATION / SLICE));
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const OUT = resolve(process.env.BENCH_OUT ?? join(repo, 'bench/RESULTS.md'));

type Framework = 'Express 5' | 'Koa 3';

interface Target {
  readonly name: string;
  readonly framework: Framework;
  readonly credential: Credential;
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly manyKeys?: boolean;
}

// ---------- targets ----------
const tsx = ['node', '--import', 'tsx'];
const example = (name: string) => [...tsx, join(repo, 'examples', name, 'src/server.ts')];
const peer = (file: string) => [...tsx, join(here, 'servers', file)];
const express = (name: string, credential: Credential, env?: Record<string, string>): Target => ({
  name,
  framework: 'Express 5',
  credential,
  command: peer('express-peer.ts'),
  ...(env && { env }),
});
const koa = (name: string, credential: Credential, env?: Record<string, string>): Target => ({
  name,
  framework: 'Koa 3',
  credential,
  command: peer('koa-peer.ts'),
  ...(env && { env }),
});
const keyscope = (framework: Framework, name: string, credential: Credential): Target => ({
  name,
  framework,
  credential,
  command: peer(framework === 'Express 5' ? 'keyscope-express.ts' : 'keyscope-koa.ts'),
});
const exampleServer = (framework: Framework, name: string, credential: Credential): Target => ({
  name,
  framework,
  credential,
  command: example(framework === 'Express 5' ? 'express' : 'koa'),
});

const allTargets: Target[] = [
  keyscope('Express 5', 'keyscope Basic', 'basic'),
  keyscope('Express 5', 'keyscope JWT reused', 'jwt-reused'),
  keyscope('Express 5', 'keyscope JWT new per request', 'jwt-new'),
  exampleServer('Express 5', 'example server (audit log on), Basic', 'basic'),
  exampleServer('Express 5', 'example server (audit log on), JWT reused', 'jwt-reused'),
  { ...keyscope('Express 5', 'keyscope Basic, 10,000 keys', 'basic-10k'), manyKeys: true },
  {
    ...keyscope('Express 5', 'keyscope Basic, cached store over 1 ms lookups', 'basic'),
    command: peer('keyscope-cached.ts'),
  },
  {
    ...keyscope('Express 5', 'keyscope JWT reused, cached store over 1 ms lookups', 'jwt-reused'),
    command: peer('keyscope-cached.ts'),
  },
  express('hand-written Basic floor', 'basic', { PEER: 'floor-basic' }),
  express('express-basic-auth', 'basic', { PEER: 'express-basic-auth' }),
  express('passport-http', 'basic', { PEER: 'passport-http' }),
  express('hand-written HS256 floor', 'jwt-reused', { PEER: 'floor-hs256' }),
  express('minimal jose middleware', 'jwt-reused', { PEER: 'jose-minimal' }),
  express('minimal jose middleware, JWT new per request', 'jwt-new', { PEER: 'jose-minimal' }),
  express('express-jwt', 'jwt-reused', { PEER: 'express-jwt' }),
  express('passport-jwt', 'jwt-reused', { PEER: 'passport-jwt' }),
  keyscope('Koa 3', 'keyscope Basic', 'basic'),
  keyscope('Koa 3', 'keyscope JWT reused', 'jwt-reused'),
  keyscope('Koa 3', 'keyscope JWT new per request', 'jwt-new'),
  exampleServer('Koa 3', 'example server, Basic', 'basic'),
  exampleServer('Koa 3', 'example server, JWT reused', 'jwt-reused'),
  koa('hand-written Basic floor', 'basic', { PEER: 'floor-basic' }),
  koa('hand-written HS256 floor', 'jwt-reused', { PEER: 'floor-hs256' }),
  koa('minimal jose middleware', 'jwt-reused', { PEER: 'jose-minimal' }),
  koa('minimal jose middleware, JWT new per request', 'jwt-new', { PEER: 'jose-minimal' }),
  koa('koa-jwt', 'jwt-reused', { PEER: 'koa-jwt' }),
];
const targets = allTargets.filter((t) => !ONLY || ONLY.test(`${t.framework} ${t.name}`));
const GUARDED = '/v2/apps/app_a';

// ---------- processes ----------
async function status(url: string, authorization?: string): Promise<number> {
  const response = await fetch(url, authorization ? { headers: { authorization } } : {});
  await response.arrayBuffer();
  return response.status;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

interface Measured {
  readonly target: Target;
  /** Throughput ratios, one per round. */
  readonly ratios: number[];
  /** CPU ratios (requests per server CPU-second, guarded / health), one per round. */
  readonly cpuRatios: number[];
}

async function main(): Promise<void> {
  const started = Date.now();
  const fixtures = createFixtures();
  const running: (Running & { target: Target; header: () => string })[] = [];
  const stopAll = () => Promise.all(running.map(({ child }) => stop(child)));
  process.once('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });
  try {
    // Four at a time: starting a server through tsx takes a few seconds.
    for (let first = 0; first < targets.length; first += 4) {
      const batch = targets.slice(first, first + 4);
      const servers = await Promise.allSettled(
        batch.map((target) =>
          start(target.command, {
            KEYSCOPE_KEYS_FILE: target.manyKeys ? fixtures.manyKeysFile : fixtures.oneKeyFile,
            ...target.env,
          }),
        ),
      );
      for (const [i, server] of servers.entries()) {
        if (server.status === 'rejected') continue;
        const target = batch[i] as Target;
        running.push({ ...server.value, target, header: fixtures.headers(target.credential) });
      }
      const failed = servers.find((server) => server.status === 'rejected');
      if (failed) throw failed.reason;
    }
    for (const { target, url, header } of running) {
      // A target that does not authenticate must not look fast.
      const guarded = `${url}${GUARDED}`;
      const codes = [
        await status(`${url}/health`),
        await status(guarded, header()),
        await status(guarded),
        await status(guarded, fixtures.wrong(target.credential)),
      ];
      if (codes[0] !== 200 || codes[1] !== 200 || codes[2] !== 401 || codes[3] !== 401) {
        throw new Error(
          `${target.framework} / ${target.name}: health, right, none, wrong answered ${codes.join(', ')}`,
        );
      }
      console.error(`started ${target.framework} / ${target.name} at ${url}`);
    }
    for (const { url, header } of running) await load(`${url}${GUARDED}`, WARMUP, header);

    const measured: Measured[] = running.map(({ target }) => ({
      target,
      ratios: [],
      cpuRatios: [],
    }));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, { target, url, header, child }] of running.entries()) {
        const constant = target.credential === 'jwt-new' ? header : header();
        // The server sat idle while the others ran: one slice, not measured, warms it up again.
        await load(`${url}${GUARDED}`, SLICE, constant);
        let health = 0;
        let guarded = 0;
        const sums = { healthRequests: 0, healthCpu: 0, guardedRequests: 0, guardedCpu: 0 };
        // Short slices in alternating order (H A, A H, ...): a burst of load from elsewhere on
        // the machine hits both routes alike.
        for (let slice = 0; slice < SLICES; slice++) {
          const h = () => load(`${url}/health`, SLICE, undefined, child.pid);
          const a = () => load(`${url}${GUARDED}`, SLICE, constant, child.pid);
          const [first, second] = slice % 2 === 0 ? [await h(), await a()] : [await a(), await h()];
          const [hr, ar] = slice % 2 === 0 ? [first, second] : [second, first];
          if (hr.bad + ar.bad > 0) {
            throw new Error(
              `${target.framework} / ${target.name}: ${hr.bad + ar.bad} failed requests`,
            );
          }
          health += hr.rps;
          guarded += ar.rps;
          sums.healthRequests += hr.total;
          sums.healthCpu += hr.cpuNs;
          sums.guardedRequests += ar.total;
          sums.guardedCpu += ar.cpuNs;
        }
        const ratio = guarded / health;
        const cpuRatio =
          sums.guardedRequests / sums.guardedCpu / (sums.healthRequests / sums.healthCpu);
        const row = measured[i] as Measured;
        row.ratios.push(ratio);
        row.cpuRatios.push(cpuRatio);
        console.error(
          `round ${round}/${ROUNDS} ${target.framework} / ${target.name}: throughput ${ratio.toFixed(3)}, cpu ${cpuRatio.toFixed(3)}`,
        );
      }
    }
    await stopAll();
    running.length = 0;

    const micro = process.env.BENCH_SKIP_MICRO ? [] : await runMicro();
    const memory = process.env.BENCH_SKIP_MEMORY ? [] : await runMemory(fixtures);
    writeResults(measured, micro, memory, (Date.now() - started) / 1000);
  } finally {
    await stopAll();
    rmSync(fixtures.dir, { recursive: true, force: true });
    cleanLogs();
  }
}

// ---------- RESULTS.md ----------
function writeResults(
  measured: readonly Measured[],
  micro: readonly MicroRow[],
  memory: readonly MemoryRow[],
  seconds: number,
): void {
  const version = (name: string) =>
    JSON.parse(readFileSync(join(repo, 'bench/node_modules', name, 'package.json'), 'utf8'))
      .version as string;
  const versions = [
    'express',
    'koa',
    '@koa/router',
    'jose',
    'autocannon',
    'mitata',
    'express-basic-auth',
    'passport-http',
    'express-jwt',
    'passport-jwt',
    'koa-jwt',
  ]
    .map((name) => `${name} ${version(name)}`)
    .join(', ');
  const fixed = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(2));
  const find = (framework: Framework, name: string) =>
    measured.find((m) => m.target.framework === framework && m.target.name === name);
  const ratio = (framework: Framework, name: string, kind: 'ratios' | 'cpuRatios') => {
    const row = find(framework, name);
    return row && median(row[kind]);
  };
  const spread = (values: readonly number[]) =>
    `${fixed(median(values))} (${fixed(Math.min(...values))} - ${fixed(Math.max(...values))})`;

  const lines = [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench\` on ${new Date().toISOString()} in ${Math.round(seconds)} s. Node.js ${process.version}, ${ROUNDS} rounds; in each round every target gets a warm-up slice, then ${DURATION} s on \`/health\` and ${DURATION} s on its guarded route \`${GUARDED}\`, in alternating slices of ${SLICE} s (health then guarded, guarded then health, ...); ${CONNECTIONS} connections; 127.0.0.1; servers started with \`NODE_ENV=production\`, one process each, checked first to answer 200 to the right credential and 401 to none and to a wrong one.`,
    '',
    `Versions: ${versions}.`,
    '',
    'The machine is shared (2 cores, other jobs running tests at the same time) and noisy: only ratios measured side by side in this run are quoted, never absolute figures. Each cell is the median over the rounds, with the lowest and highest round in brackets.',
    '',
    '## Auth overhead ratio',
    '',
    '- **throughput**: requests/s on the guarded route divided by requests/s on `/health` of the same server in the same round (1.00: auth is free). This is the figure of issue 7; another job taking the CPU during a slice moves it.',
    '- **per CPU-second**: the same ratio computed on requests per CPU-second used by the server process (all its threads, from Linux schedstat). It is what the throughput ratio would be if the server had its core to itself, and other jobs on the machine barely move it.',
    '',
    '"keyscope ..." rows run `requireScope()` of the Express or Koa adapter in the same bare app as the floors and peers (`/health` and `/v2/apps/:appId`, nothing else). "example server" rows run `examples/express` and `examples/koa` as shipped (more routes, a 404 handler, and on Express a synchronous JSON audit line per authentication, written to a file here). "JWT reused": the client sends the same token on every request (an SDK keeping its token); "JWT new per request": every request carries a token the server has not seen (the worst case).',
    '',
    '| framework | target | throughput | per CPU-second |',
    '|---|---|---|---|',
  ];
  for (const { target, ratios, cpuRatios } of measured) {
    lines.push(
      `| ${target.framework} | ${target.name} | ${spread(ratios)} | ${spread(cpuRatios)} |`,
    );
  }

  const targetsMet: string[] = [];
  const check = (
    label: string,
    name: [Framework, string],
    bound: (kind: 'ratios' | 'cpuRatios') => number | undefined,
  ) => {
    const cells = (['ratios', 'cpuRatios'] as const).map((kind) => {
      const value = ratio(name[0], name[1], kind);
      const limit = bound(kind);
      if (value === undefined || limit === undefined) return 'not measured';
      return `${fixed(value)} vs ${fixed(limit)}: ${value >= limit ? 'met' : '**not met**'}`;
    });
    targetsMet.push(`| ${label} | ${cells.join(' | ')} |`);
  };
  check('Express Basic >= 0.92', ['Express 5', 'keyscope Basic'], () => 0.92);
  check('Koa Basic >= Koa Basic floor - 0.03', ['Koa 3', 'keyscope Basic'], (kind) => {
    const floor = ratio('Koa 3', 'hand-written Basic floor', kind);
    return floor === undefined ? undefined : floor - 0.03;
  });
  check('Express JWT reused >= 0.90', ['Express 5', 'keyscope JWT reused'], () => 0.9);
  check('Koa JWT reused >= 0.80', ['Koa 3', 'keyscope JWT reused'], () => 0.8);
  for (const framework of ['Express 5', 'Koa 3'] as const) {
    check(
      `${framework} JWT new per request >= minimal jose middleware, JWT new per request`,
      [framework, 'keyscope JWT new per request'],
      (kind) => ratio(framework, 'minimal jose middleware, JWT new per request', kind),
    );
  }
  lines.push(
    '',
    '## Targets of issue 7',
    '',
    '| target | throughput | per CPU-second |',
    '|---|---|---|',
    ...targetsMet,
  );

  if (micro.length > 0) {
    lines.push(
      '',
      '## Micro: cost of one `authenticate()` call',
      '',
      'mitata, in one process, on a CPU-time clock (all threads of the process, so the libuv pool webcrypto runs on counts) with 10 calls in flight, as a ratio to a minimal `node:crypto` HS256 check of the same token (createHmac + timingSafeEqual). The absolute times are only indicative.',
      '',
      '| verification | ratio | mean time |',
      '|---|---|---|',
      ...micro.map(
        (row) => `| ${row.name} | ${fixed(row.ratio)} | ${(row.ns / 1000).toFixed(2)} µs |`,
      ),
    );
  }
  if (memory.length > 0) {
    lines.push(
      '',
      '## Memory under floods (keyscope Express example, one fresh process per flood)',
      '',
      `Resident set size of the server, sampled every ${0.5} s; "peak" is the kernel's high-water mark (VmHWM). Flat means the second half of the run adds nothing: caches are bounded.`,
      '',
      '| flood | requests | RSS after start-up | RSS at half time | peak RSS | RSS at the end |',
      '|---|---|---|---|---|---|',
      ...memory.map(
        (row) =>
          `| ${row.name} | ${row.requests} | ${row.startMiB.toFixed(1)} MiB | ${row.halfMiB.toFixed(1)} MiB | ${row.peakMiB.toFixed(1)} MiB | ${row.endMiB.toFixed(1)} MiB |`,
      ),
    );
  }
  lines.push(
    '',
    '## How to run',
    '',
    '`pnpm bench` at the repository root (builds the packages first). Environment: `BENCH_ROUNDS` (default 3), `BENCH_DURATION` (seconds per route per round, default 2), `BENCH_SLICE` (default 1), `BENCH_WARMUP` (default 2), `BENCH_ONLY=<regex on "framework target">`, `BENCH_SKIP_MICRO=1`, `BENCH_SKIP_MEMORY=1`, `BENCH_FLOOD_SECONDS` (default 15), `BENCH_OUT` (default `bench/RESULTS.md`). A quick check: `BENCH_ROUNDS=1 BENCH_DURATION=1 BENCH_FLOOD_SECONDS=5 pnpm bench`.',
    '',
    'Where the time goes: `pnpm --filter @keyscope/bench layers <basic|jwt-reused|jwt-new> [rounds]` prints the server CPU per request of the same Express route behind the floor, jose, keyscope core alone and the full adapter (`BENCH_COMPARE_TSCONFIG` runs another build beside it, interleaved); `pnpm --filter @keyscope/bench cpu-profile <express|koa|server file> <credential> [seconds]` profiles one target with `node --cpu-prof` and sums self time by area. The servers load the built packages (`bench/tsconfig.servers.json`, without the root `paths`).',
    '',
  );
  writeFileSync(OUT, lines.join('\n'));
  console.log(lines.join('\n'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
