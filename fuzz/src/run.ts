/**
 * `pnpm fuzz`: sends generated and mutated requests through the Express and Koa example servers
 * over real HTTP (by default 50 000 cases, each to both servers: 100 000 requests), prints a
 * summary, and exits non-zero when any check failed. `FUZZ_CASES`, `FUZZ_SEED`,
 * `FUZZ_CONCURRENCY` and `FUZZ_TARGETS` (`express,koa`) change the run; a failing seed replays
 * the same requests.
 */
import { mib, runFuzz } from './fuzz.js';
import type { TargetName } from './servers.js';

const env = process.env;
const cases = Number(env.FUZZ_CASES ?? 50_000);
const seed = env.FUZZ_SEED === undefined ? undefined : Number(env.FUZZ_SEED);
const concurrency = Number(env.FUZZ_CONCURRENCY ?? 16);
const targets = (env.FUZZ_TARGETS ?? 'express,koa').split(',') as TargetName[];

console.log(`fuzzing ${targets.join(' and ')} with ${cases} cases (each to every server)...`);
const report = await runFuzz({
  cases,
  ...(seed === undefined ? {} : { seed }),
  targets,
  concurrency,
  log: (line) => console.log(line),
});

const pad = (text: string | number, width: number) => String(text).padStart(width);
console.log('');
console.log(
  `seed ${report.seed}: ${report.cases} cases, ${report.requests} requests in ${report.seconds.toFixed(1)} s (${Math.round(report.requests / report.seconds)}/s)`,
);
console.log(
  `oracle: ${report.verdicts.valid} valid (or equivalent), ${report.verdicts.invalid} invalid, ${report.verdicts.either} either`,
);
console.log('\ncases by family:');
for (const [family, count] of Object.entries(report.byFamily).sort((a, b) => b[1] - a[1])) {
  console.log(`  ${family.padEnd(24)} ${pad(count, 7)}`);
}
console.log('\nanswers by status:');
for (const [target, counts] of Object.entries(report.byStatus)) {
  const list = Object.entries(counts)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  console.log(`  ${target.padEnd(8)} ${list}`);
}
console.log('\nmemory (RSS, MiB): start / settled (first third) / end (last fifth) / peak');
for (const [target, m] of Object.entries(report.memory)) {
  console.log(
    `  ${target.padEnd(8)} ${mib(m.start)} / ${mib(m.settled)} / ${mib(m.end)} / ${mib(m.peak)}`,
  );
}
console.log(`\nserver output lines (the Express audit log): ${JSON.stringify(report.logLines)}`);
const fives = Object.values(report.byStatus).reduce(
  (n, counts) =>
    n +
    Object.entries(counts)
      .filter(([s]) => s.startsWith('5'))
      .reduce((m, [, c]) => m + c, 0),
  0,
);
console.log(
  `\n5xx: ${fives}; accepted mutations: ${report.failureCounts['accepted-mutation'] ?? 0}; crashes: ${report.failureCounts.crash ?? 0}`,
);
if (report.passed) {
  console.log(
    'PASS: no 5xx, no crash, no accepted mutation, no valid credential refused, pinned statuses, servers agree, nothing echoed or logged, memory flat',
  );
} else {
  console.log(`FAIL: ${JSON.stringify(report.failureCounts)}`);
  for (const failure of report.failures.slice(0, 30)) {
    console.log(`  ${failure.kind} ${failure.target} ${failure.detail}`);
  }
  process.exitCode = 1;
}
