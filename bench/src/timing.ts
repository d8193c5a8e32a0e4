/**
 * `pnpm bench:timing`: what can an attacker learn from response times? It compares a known key
 * with a wrong secret against an unknown key id (Basic) and a bad signature against an unknown
 * `kid` (JWT), a guessed secret or signature wrong at its start against one wrong at its end, and
 * two controls (one that must differ, one that must not). Samples are interleaved (each round
 * times both kinds, in random order), in process through `createAuthenticator` and over HTTP
 * through the Express example server, trimmed, and compared with Welch's t-test (dudect's
 * threshold |t| > 4.5) and the two-sample Kolmogorov-Smirnov test (D against its critical value at
 * alpha = 0.001). The report goes to stdout and `bench/TIMING.md`; the exit code is non-zero when
 * a secret comparison is told apart. `TIMING_SAMPLES` and `TIMING_HTTP_SAMPLES` set the samples
 * per kind.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ks, quantile, sorted, trimmed, welch } from './timing-stats.ts';
import {
  type Comparison,
  createTimingFixtures,
  httpTimer,
  inProcessTimer,
  type Timer,
} from './timing-targets.ts';

const SAMPLES = Number(process.env.TIMING_SAMPLES ?? 20_000);
const HTTP_SAMPLES = Number(process.env.TIMING_HTTP_SAMPLES ?? 4_000);
const EXAMPLE = process.env.TIMING_EXAMPLE === 'koa' ? 'koa' : 'express';
const WARMUP = 2_000;
const ONLY =
  process.env.TIMING_ONLY === undefined ? undefined : new RegExp(process.env.TIMING_ONLY, 'i');
const TRIM = 0.05;
const T_THRESHOLD = 4.5;
const ALPHA = 0.001;
const REPO = resolve(import.meta.dirname, '../..');
const OUT = resolve(REPO, 'bench/TIMING.md');

interface Row {
  readonly where: string;
  readonly comparison: Comparison;
  readonly n: number;
  readonly medianA: number;
  readonly medianB: number;
  readonly p90A: number;
  readonly p90B: number;
  readonly t: number;
  readonly df: number;
  readonly d: number;
  readonly dCritical: number;
  readonly p: number;
  readonly apart: boolean;
  /** When the first measurement told the two apart: the verdict of a second, fresh one. */
  readonly replication?: { readonly t: number; readonly d: number; readonly apart: boolean };
}

async function measure(
  where: string,
  timer: Timer,
  comparison: Comparison,
  n: number,
): Promise<Row> {
  const { a, b } = comparison;
  for (let i = 0; i < WARMUP; i++) {
    await timer(a.authorization, a.status);
    await timer(b.authorization, b.status);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Math.random() < 0.5) {
      xs.push(await timer(a.authorization, a.status));
      ys.push(await timer(b.authorization, b.status));
    } else {
      ys.push(await timer(b.authorization, b.status));
      xs.push(await timer(a.authorization, a.status));
    }
  }
  const ta = trimmed(xs, TRIM);
  const tb = trimmed(ys, TRIM);
  const w = welch(ta, tb);
  const k = ks(ta, tb, ALPHA);
  const sa = sorted(xs);
  const sb = sorted(ys);
  return {
    where,
    comparison,
    n,
    medianA: quantile(sa, 0.5),
    medianB: quantile(sb, 0.5),
    p90A: quantile(sa, 0.9),
    p90B: quantile(sb, 0.9),
    t: w.t,
    df: w.df,
    d: k.d,
    dCritical: k.critical,
    p: k.p,
    apart: Math.abs(w.t) > T_THRESHOLD || k.d > k.critical,
  };
}

/**
 * A difference must show twice: on a shared machine a burst of load can fake one in a single
 * measurement (the null control guards the method, this guards each verdict). Controls are
 * measured once.
 */
async function replicated(
  where: string,
  timer: Timer,
  comparison: Comparison,
  n: number,
): Promise<Row> {
  const first = await measure(where, timer, comparison, n);
  if (!first.apart || comparison.control !== undefined) return first;
  const second = await measure(where, timer, comparison, n);
  return {
    ...first,
    apart: second.apart,
    replication: { t: second.t, d: second.d, apart: second.apart },
  };
}

const us = (ns: number) => (ns / 1000).toFixed(2);
const all = createTimingFixtures();
const fixtures = {
  ...all,
  comparisons: all.comparisons.filter((c) => ONLY === undefined || ONLY.test(c.name)),
};
const rows: Row[] = [];
const started = new Date();

console.log(
  `timing: ${SAMPLES} interleaved samples per kind in process, ${HTTP_SAMPLES} over HTTP`,
);
const local = inProcessTimer(fixtures.document);
for (const comparison of fixtures.comparisons) {
  const row = await replicated('in process', local, comparison, SAMPLES);
  rows.push(row);
  console.log(
    `  in process | ${comparison.name}: t=${row.t.toFixed(2)} D=${row.d.toFixed(4)} (crit ${row.dCritical.toFixed(4)}) medians ${us(row.medianA)} / ${us(row.medianB)} µs -> ${row.apart ? 'APART' : row.replication ? 'indistinguishable (not replicated)' : 'indistinguishable'}`,
  );
}
const dir = mkdtempSync(join(tmpdir(), 'keyscope-timing-'));
const server = await httpTimer(fixtures.document, dir, EXAMPLE);
try {
  for (const comparison of fixtures.comparisons) {
    const row = await replicated(
      `HTTP (${EXAMPLE === 'koa' ? 'Koa' : 'Express'} example)`,
      server.timer,
      comparison,
      HTTP_SAMPLES,
    );
    rows.push(row);
    console.log(
      `  HTTP | ${comparison.name}: t=${row.t.toFixed(2)} D=${row.d.toFixed(4)} (crit ${row.dCritical.toFixed(4)}) medians ${us(row.medianA)} / ${us(row.medianB)} µs -> ${row.apart ? 'APART' : row.replication ? 'indistinguishable (not replicated)' : 'indistinguishable'}`,
    );
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const verdict = (row: Row) => {
  if (row.comparison.control === 'positive') {
    return row.apart ? 'told apart, as it must be' : '**not told apart: the method is blind here**';
  }
  if (row.comparison.control === 'null') {
    return row.apart
      ? '**told apart: the method sees noise**'
      : 'not told apart, as it must not be';
  }
  const again = row.replication;
  if (again === undefined) return row.apart ? '**told apart**' : 'cannot be told apart';
  return again.apart
    ? `**told apart**, twice (again: t = ${again.t.toFixed(2)}, D = ${again.d.toFixed(4)})`
    : `cannot be told apart: the first difference did not show again (t = ${again.t.toFixed(2)}, D = ${again.d.toFixed(4)})`;
};
const table = [
  '| where | comparison (A vs B) | n per kind | median A / B (µs) | p90 A / B (µs) | Welch t (df) | KS D / critical (p) | verdict |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.where} | ${r.comparison.name} | ${r.n} | ${us(r.medianA)} / ${us(r.medianB)} | ${us(r.p90A)} / ${us(r.p90B)} | ${r.t.toFixed(2)} (${Math.round(r.df)}) | ${r.d.toFixed(4)} / ${r.dCritical.toFixed(4)} (${r.p < 1e-4 ? r.p.toExponential(1) : r.p.toFixed(4)}) | ${verdict(r)} |`,
  ),
];
const ns = (r: Row) => Math.round(r.medianA - r.medianB);
const of = (kind: Comparison['kind'], where?: string) =>
  rows.filter((r) => r.comparison.kind === kind && (where === undefined || r.where === where));
const secretLeaks = of('secret').filter((r) => r.apart);
const existence = of('existence');
const controlsOk = rows.every((r) =>
  r.comparison.control === 'null'
    ? !r.apart
    : r.comparison.control === 'positive'
      ? r.apart || r.where !== 'in process'
      : true,
);
const describeRows = (list: readonly Row[]) =>
  list
    .map(
      (r) =>
        `${r.where}, ${r.comparison.name}: ${r.apart ? 'told apart' : 'not told apart'} (median difference ${ns(r)} ns, t = ${r.t.toFixed(2)}, D = ${r.d.toFixed(4)} against ${r.dCritical.toFixed(4)}${
          r.replication === undefined
            ? ''
            : `; measured again: t = ${r.replication.t.toFixed(2)}, D = ${r.replication.d.toFixed(4)}${r.replication.apart ? '' : ', so the first difference was noise'}`
        })`,
    )
    .map((line) => `- ${line}`)
    .join('\n');
const report = `# Timing: can response times tell a known key from an unknown one, or a near guess from a far one?

Generated by \`pnpm bench:timing\` (\`bench/src/timing.ts\`) on ${started.toISOString()}: Node
${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, load average
${loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')} at the end (a shared machine: other processes ran meanwhile).

## Method

- Each comparison times two kinds of refused attempt, **interleaved**: every round times one of
  each, in random order, so that drift of the machine hits both alike. ${WARMUP} warm-up rounds
  are dropped.
- **In process**: \`createAuthenticator({ store: createMemoryStore(doc) }).authenticate()\`, timed
  with \`process.hrtime.bigint()\`, ${SAMPLES} samples per kind. The strictest setting: no network
  noise hides anything.
- **Over HTTP**: \`GET /v2/whoami\` on the Express example server (its own process on 127.0.0.1,
  audit log on), one keep-alive connection, ${HTTP_SAMPLES} samples per kind, timed from the
  request to the end of the response. What an attacker next to the server could measure.
- Credentials of equal lengths: the unknown key id has the form and length of the known one, the
  wrong secret the length of the right one, both JWTs the same header and claims.
- Statistics on each kind's samples without its ${TRIM * 100}% fastest and ${TRIM * 100}% slowest:
  **Welch's t-test** (dudect's test; |t| > ${T_THRESHOLD} means the two can be told apart) and the
  **two-sample Kolmogorov-Smirnov test** (D above its critical value at alpha = ${ALPHA} means
  different distributions). "Told apart" when either says so, in two measurements in a row: a
  difference seen once is measured again with fresh samples, and counts only if it shows again (a
  burst of load on a shared machine can fake one difference, rarely two).
- Two controls calibrate the method: the **positive** one (a Basic credential without a colon,
  refused while parsing, against a wrong secret: no lookup and no hash against both) must be told
  apart in process; the **null** one (the same request on both sides) must not be.

## Results

${table.join('\n')}

## Reading

Controls: ${controlsOk ? 'both behave, so the verdicts below mean what they say.' : '**a control failed: read the verdicts below with care (rerun on a quieter machine)**.'}

**Secrets** (what keyscope promises: a guess that is nearly right takes as long as one that is
all wrong; secrets are compared as SHA-256 digests with \`timingSafeEqual\`, signatures by
WebCrypto's HMAC verify):

${describeRows(of('secret'))}

${secretLeaks.length === 0 ? 'Nothing to tell apart: a guess learns nothing from its timing about how close it was.' : '**A difference was seen: see SECURITY.md and report it.**'}

**Key existence** (keyscope does the same cryptographic work for an unknown key id as for a known
one: a wrong secret is hashed and compared against a random digest, a token is verified against a
throw-away HMAC key):

${describeRows(existence)}

${
  existence.some((r) => r.apart)
    ? `In process, with ${SAMPLES} samples per kind, a difference remains measurable: ${existence
        .filter((r) => r.apart && r.where === 'in process')
        .map(
          (r) =>
            `${Math.abs(ns(r))} ns in ${us(r.medianB)} µs for ${r.comparison.name.split(':')[0]}`,
        )
        .join(', ')}. The cryptographic work is the same on both sides; what differs is the code
around it (a key that is found is checked for shape and its cached HMAC key fetched, an unknown
one takes the throw-away key), and it says nothing about the secret (the rows above). ${
        existence.filter((r) => r.where !== 'in process').every((r) => !r.apart)
          ? 'Over HTTP, even on the loopback interface, it drowns in the noise and cannot be told apart.'
          : `Over HTTP, in this run, it was told apart too: ${existence
              .filter((r) => r.where !== 'in process' && r.apart)
              .map(
                (r) =>
                  `${Math.abs(ns(r))} ns in ${us(r.medianB)} µs for ${r.comparison.name.split(':')[0]}`,
              )
              .join(', ')} (an attacker next to the server, with thousands of requests per key id).`
      } A key id is an identifier, not a secret (it is logged, and shown by \`whoami\`); the
limiter (\`createMemoryRateLimiter\`) bounds how many guesses anyone gets, and a real key store
(a database, a cache) differs between a hit and a miss by far more than this.`
    : 'Nothing to tell apart, in process or over HTTP.'
}

Rerun with \`pnpm bench:timing\` (\`TIMING_SAMPLES\`, \`TIMING_HTTP_SAMPLES\` change the sample sizes).
`;
writeFileSync(OUT, report);
// The repository's formatter owns Markdown layout: leave the file as \`pnpm lint\` wants it.
spawnSync(
  process.execPath,
  [resolve(REPO, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', OUT],
  {
    cwd: REPO,
    stdio: 'ignore',
  },
);
console.log(`\nwritten to ${OUT}`);
// A secret comparison told apart is a vulnerability: fail. Key existence is reported only.
if (secretLeaks.length > 0) {
  console.log(
    `told apart: ${secretLeaks.map((r) => `${r.where} / ${r.comparison.name}`).join('; ')}`,
  );
  process.exitCode = 1;
}
