/**
 * The fuzz run: starts the example servers with a keys file of fresh secrets, sends every
 * generated request to each of them over HTTP, and judges each answer against the contract's
 * oracle. A run passes with zero 5xx, zero accepted mutations (a 2xx only for a credential the
 * oracle calls valid, which must then authenticate as its own key), zero valid credentials
 * refused, the statuses the contract pins (400 for duplicate headers or over 8 KiB, 431 past the
 * server's limit), the same status from every server, no secret or credential echoed or logged,
 * the servers alive and healthy at the end, and their memory flat.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type FuzzCase, fuzzCases } from './cases.js';
import { type Answer, type Client, createClient } from './client.js';
import { createFuzzKeys } from './credentials.js';
import { judge, type Verdict } from './oracle.js';
import { startTarget, type Target, type TargetName } from './servers.js';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** Generated requests; each is sent to every target (default 50 000). */
  readonly cases?: number;
  /** fast-check seed (default: random, printed). */
  readonly seed?: number;
  /** The example servers to attack (default both). */
  readonly targets?: readonly TargetName[];
  /** Requests in flight per target (default 16). */
  readonly concurrency?: number;
  /** Allowed growth of a server's RSS between the first third of the run and its end, in bytes. */
  readonly maxRssGrowth?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** One failed check. */
export interface FuzzFailure {
  readonly kind:
    | '5xx'
    | 'accepted-mutation'
    | 'wrong-identity'
    | 'valid-refused'
    | 'status'
    | 'disagreement'
    | 'echo'
    | 'connection'
    | 'log-leak'
    | 'crash'
    | 'health'
    | 'memory';
  readonly target: string;
  readonly family?: string;
  readonly detail: string;
}

/** The outcome of a run. */
export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly requests: number;
  readonly seconds: number;
  readonly byFamily: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly verdicts: Readonly<Record<Verdict['kind'], number>>;
  readonly memory: Readonly<
    Record<string, { start: number; settled: number; end: number; peak: number }>
  >;
  readonly logLines: Readonly<Record<string, number>>;
  readonly failures: readonly FuzzFailure[];
  /** Failures by kind (all of them; `failures` keeps the first 50). */
  readonly failureCounts: Readonly<Record<string, number>>;
  readonly passed: boolean;
}

const BATCH = 500;
/** Node's default limit on the header section of a request (`--max-http-header-size`). */
const SERVER_HEADER_LIMIT = 16 * 1024;

/** Runs the fuzzer. Never throws on a failed check: read `passed` and `failures`. */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const total = options.cases ?? 50_000;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const names = options.targets ?? ['express', 'koa'];
  const concurrency = options.concurrency ?? 16;
  const maxRssGrowth = options.maxRssGrowth ?? 48 * 1024 * 1024;
  const log = options.log ?? (() => {});

  const keys = createFuzzKeys();
  const dir = await mkdtemp(join(tmpdir(), 'keyscope-fuzz-'));
  const keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(keys.document));
  // Never in any output: the secrets, the valid credentials, their signatures.
  const forbidden = [
    ...keys.secrets,
    ...keys.credentials.map((c) => c.token),
    ...keys.credentials
      .filter((c) => c.scheme === 'Bearer')
      .map((c) => c.token.split('.')[2] as string),
  ];

  const failures: FuzzFailure[] = [];
  const failureCounts: Record<string, number> = {};
  const fail = (failure: FuzzFailure) => {
    failureCounts[failure.kind] = (failureCounts[failure.kind] ?? 0) + 1;
    if (failures.length < 50) failures.push(failure);
  };
  const byFamily: Record<string, number> = {};
  const byStatus: Record<string, Record<string, number>> = {};
  const verdicts: Record<Verdict['kind'], number> = { valid: 0, invalid: 0, either: 0 };
  const samples: Record<string, { at: number; rss: number }[]> = {};

  const targets: Target[] = [];
  const started = Date.now();
  let requests = 0;
  try {
    for (const t of await Promise.all(names.map((n) => startTarget(n, keysFile, forbidden)))) {
      targets.push(t);
      byStatus[t.name] = {};
      samples[t.name] = [];
    }
    const clients = new Map<Target, Client>(
      targets.map((t) => [t, createClient(t.host, t.port, concurrency)]),
    );
    const sample = () => {
      for (const t of targets) {
        const rss = t.rss();
        if (rss !== undefined) samples[t.name]?.push({ at: requests, rss });
      }
    };
    sample();
    const sampler = setInterval(sample, 250);

    const arbitrary = fuzzCases(keys);
    let done = 0;
    let lastLog = Date.now();
    for (let batch = 0; done < total; batch++) {
      const size = Math.min(BATCH, total - done);
      const cases = fc.sample(arbitrary, { numRuns: size, seed: seed + batch });
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < cases.length; i = next++) {
          await runCase(cases[i] as FuzzCase);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      done += size;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        const rate = Math.round(requests / ((Date.now() - started) / 1000));
        log(`  ${done}/${total} cases, ${requests} requests (${rate}/s)`);
      }
      if (targets.some((t) => !t.alive())) break;
    }
    clearInterval(sampler);
    sample();

    async function runCase(c: FuzzCase): Promise<void> {
      byFamily[c.family] = (byFamily[c.family] ?? 0) + 1;
      const verdict = verdictOf(c);
      verdicts[verdict.kind]++;
      const answers = await Promise.all(
        targets.map(async (t) => [t, await (clients.get(t) as Client).send(c)] as const),
      );
      requests += answers.length;
      for (const [t, answer] of answers) {
        const statusKey = answer.status === 0 ? `error:${answer.error}` : String(answer.status);
        const counts = byStatus[t.name] as Record<string, number>;
        counts[statusKey] = (counts[statusKey] ?? 0) + 1;
        check(t.name, c, verdict, answer);
      }
      const statuses = new Set(answers.map(([, a]) => a.status));
      if (
        statuses.size > 1 &&
        !answers.every(([, a]) => overLimit(c) && [0, 431].includes(a.status))
      ) {
        fail({
          kind: 'disagreement',
          target: answers.map(([t]) => t.name).join('/'),
          family: c.family,
          detail: `${answers.map(([t, a]) => `${t.name} ${a.status}`).join(', ')} for ${describe(c)}`,
        });
      }
    }

    function verdictOf(c: FuzzCase): Verdict {
      if (c.verdict === 'invalid' || c.verdict === 'either') return { kind: c.verdict };
      if (typeof c.verdict === 'object') return judge(c.verdict.equivalentTo, keys);
      return judge(c.authorization, keys);
    }

    function check(target: string, c: FuzzCase, verdict: Verdict, a: Answer): void {
      const at = { target, family: c.family };
      if (a.status === 0) {
        // Past the server's header limit Node may reset the connection while the request is
        // still being written: the request was refused all the same.
        if (!(overLimit(c) && /ECONNRESET|EPIPE/.test(a.error ?? ''))) {
          fail({ kind: 'connection', ...at, detail: `${a.error} for ${describe(c)}` });
        }
        return;
      }
      if (a.status >= 500) {
        fail({
          kind: '5xx',
          ...at,
          detail: `${a.status} ${a.body.slice(0, 200)} for ${describe(c)}`,
        });
      }
      const whoami = c.path.startsWith('/v2/whoami');
      if (a.status >= 200 && a.status < 300) {
        if (verdict.kind === 'invalid') {
          fail({ kind: 'accepted-mutation', ...at, detail: `${a.status} for ${describe(c)}` });
        } else if (verdict.kind === 'valid' && whoami) {
          const keyId = (safeJson(a.body) as { keyId?: unknown } | undefined)?.keyId;
          if (keyId !== verdict.key.id) {
            fail({
              kind: 'wrong-identity',
              ...at,
              detail: `keyId ${String(keyId)} for ${describe(c)}`,
            });
          }
        }
      } else if (verdict.kind === 'valid' && whoami && !(a.status === 431 && overLimit(c))) {
        fail({
          kind: 'valid-refused',
          ...at,
          detail: `${a.status} ${a.body.slice(0, 120)} for ${describe(c)}`,
        });
      }
      if (
        c.statuses !== undefined &&
        !c.statuses.includes(a.status) &&
        !(a.status === 431 && overLimit(c))
      ) {
        fail({
          kind: 'status',
          ...at,
          detail: `${a.status}, wanted ${c.statuses.join('|')}, for ${describe(c)}`,
        });
      }
      const text = `${JSON.stringify(a.headers)}${a.body}`;
      for (const secret of forbidden) {
        if (text.includes(secret))
          fail({ kind: 'echo', ...at, detail: `answer holds a credential for ${describe(c)}` });
      }
      for (const value of c.authorization ?? []) {
        const credential =
          value
            .trim()
            .split(/[ \t]+/)
            .at(-1) ?? '';
        if (credential.length >= 16 && text.includes(credential)) {
          fail({ kind: 'echo', ...at, detail: `answer echoes the credential of ${describe(c)}` });
        }
      }
    }

    for (const t of targets) {
      if (!t.alive()) {
        fail({
          kind: 'crash',
          target: t.name,
          detail: `exited (${t.child.exitCode ?? t.child.signalCode}): ${t.tail().slice(-500)}`,
        });
        continue;
      }
      const health = await fetch(`${t.url}/health`).then(
        async (res) => `${res.status} ${await res.text()}`,
        (error: unknown) => String(error),
      );
      if (health !== '200 {"ok":true}') fail({ kind: 'health', target: t.name, detail: health });
      for (const leak of t.leaks) {
        fail({ kind: 'log-leak', target: t.name, detail: `output holds ${leak.slice(0, 12)}...` });
      }
    }
    for (const client of clients.values()) client.close();
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    await rm(dir, { recursive: true, force: true });
  }

  const memory: Record<string, { start: number; settled: number; end: number; peak: number }> = {};
  for (const [name, list] of Object.entries(samples)) {
    if (list.length < 4) continue;
    const third = list.filter((s) => s.at >= requests / 6 && s.at <= requests / 3);
    const settled = median((third.length > 0 ? third : list.slice(0, 2)).map((s) => s.rss));
    const lastFifth = list.filter((s) => s.at >= (requests * 4) / 5);
    const end = Math.max(...(lastFifth.length > 0 ? lastFifth : list.slice(-1)).map((s) => s.rss));
    memory[name] = {
      start: list[0]?.rss ?? 0,
      settled,
      end,
      peak: Math.max(...list.map((s) => s.rss)),
    };
    if (end - settled > maxRssGrowth) {
      fail({
        kind: 'memory',
        target: name,
        detail: `RSS grew ${mib(end - settled)} MiB (${mib(settled)} -> ${mib(end)})`,
      });
    }
  }

  return {
    seed,
    cases: Object.values(byFamily).reduce((a, b) => a + b, 0),
    requests,
    seconds: (Date.now() - started) / 1000,
    byFamily,
    byStatus,
    verdicts,
    memory,
    logLines: Object.fromEntries(targets.map((t) => [t.name, t.lines.count])),
    failures,
    failureCounts,
    passed: Object.keys(failureCounts).length === 0,
  };
}

/** Whether the request's header section is past what the server reads (its 431 stands). */
function overLimit(c: FuzzCase): boolean {
  const size =
    (c.authorization ?? []).reduce((n, v) => n + v.length + 17, 0) + (c.raw?.length ?? 0);
  return size > SERVER_HEADER_LIMIT - 512;
}

function describe(c: FuzzCase): string {
  const shown = (c.raw ?? JSON.stringify(c.authorization) ?? 'no Authorization').slice(0, 300);
  return `[${c.family}] ${c.method} ${c.path} ${c.headerName ?? ''} ${JSON.stringify(shown)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
