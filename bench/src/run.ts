/**
 * `pnpm bench`: the HTTP yardstick of issue 7. Every target (the keyscope example servers and the
 * peers a user would pick instead, plus hand-written floors) runs in its own process on 127.0.0.1;
 * autocannon drives 10 connections at `/health` and then at the guarded route of the same server,
 * target after target, for several interleaved rounds. The figure is the auth overhead ratio:
 * requests/s on the guarded route / requests/s on `/health` in the same round. Then the micro
 * benchmarks and the memory floods run, and everything is written to `bench/RESULTS.md`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { runMemory } from './memory.ts';
import { runMicro } from './micro.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;

type Credential = 'basic' | 'jwt-reused' | 'jwt-new' | 'basic-10k';

interface Target {
  name: string;
  framework: 'Express 5' | 'Koa 3';
  credential: Credential;
  command: string[];
  env?: Record<string, string>;
  manyKeys?: boolean;
}

// ---------- keys and credentials, generated per run (nothing secret is committed) ----------
const dir = mkdtempSync(join(tmpdir(), 'keyscope-bench-'));
const benchKey = {
  id: `app_${randomBytes(12).toString('hex')}`,
  secret: randomBytes(32).toString('base64url'),
};
const manyKeys = Array.from({ length: 10_000 }, () => ({
  id: `app_${randomBytes(12).toString('hex')}`,
  secret: randomBytes(32).toString('base64url'),
}));
function keysFile(name: string, keys: { id: string; secret: string }[]): string {
  const file = join(dir, name);
  const doc = {
    version: 1,
    apps: [
      { id: 'app_a', accountId: 'acc_1' },
      { id: 'app_b', accountId: 'acc_1' },
    ],
    serviceAccounts: [],
    keys: keys.map((k) => ({ ...k, entity: { type: 'app', id: 'app_a' } })),
  };
  writeFileSync(file, JSON.stringify(doc));
  return file;
}
const oneKeyFile = keysFile('keys.json', [benchKey]);
const manyKeysFile = keysFile('keys-10k.json', [benchKey, ...manyKeys]);

const b64url = (value: string) => Buffer.from(value).toString('base64url');
function mint(key: { id: string; secret: string }, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.id }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', key.secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
const exp = Math.floor(Date.now() / 1000) + 3600;
const basicHeader = (key: { id: string; secret: string }) =>
  `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`;
const reusedToken = `Bearer ${mint(benchKey, { scope: 'app', exp })}`;
const POOL = 200_000;
const tokenPool = Array.from(
  { length: POOL },
  (_, i) => `Bearer ${mint(benchKey, { scope: 'app', exp, jti: i })}`,
);
const manyBasic = manyKeys.map(basicHeader);

function headerSource(credential: Credential): () => string {
  let i = 0;
  switch (credential) {
    case 'basic':
      return () => basicHeader(benchKey);
    case 'jwt-reused':
      return () => reusedToken;
    case 'jwt-new':
      return () => tokenPool[i++ % POOL] as string;
    case 'basic-10k':
      return () => manyBasic[i++ % manyBasic.length] as string;
  }
}

// ---------- targets ----------
const tsx = ['node', '--import', 'tsx'];
const example = (name: string) => [...tsx, join(repo, 'examples', name, 'src/server.ts')];
const peer = (file: string) => [...tsx, join(here, 'servers', file)];
const targets: Target[] = [
  {
    name: 'keyscope Basic',
    framework: 'Express 5',
    credential: 'basic',
    command: example('express'),
  },
  {
    name: 'keyscope JWT reused',
    framework: 'Express 5',
    credential: 'jwt-reused',
    command: example('express'),
  },
  {
    name: 'keyscope JWT new per request',
    framework: 'Express 5',
    credential: 'jwt-new',
    command: example('express'),
  },
  {
    name: 'keyscope Basic, 10,000 keys',
    framework: 'Express 5',
    credential: 'basic-10k',
    command: example('express'),
    manyKeys: true,
  },
  {
    name: 'keyscope Basic, cached store over 1 ms lookups',
    framework: 'Express 5',
    credential: 'basic',
    command: peer('keyscope-cached.ts'),
  },
  {
    name: 'hand-written Basic floor',
    framework: 'Express 5',
    credential: 'basic',
    command: peer('express-peer.ts'),
    env: { PEER: 'floor-basic' },
  },
  {
    name: 'express-basic-auth',
    framework: 'Express 5',
    credential: 'basic',
    command: peer('express-peer.ts'),
    env: { PEER: 'express-basic-auth' },
  },
  {
    name: 'passport-http',
    framework: 'Express 5',
    credential: 'basic',
    command: peer('express-peer.ts'),
    env: { PEER: 'passport-http' },
  },
  {
    name: 'hand-written HS256 floor',
    framework: 'Express 5',
    credential: 'jwt-reused',
    command: peer('express-peer.ts'),
    env: { PEER: 'floor-hs256' },
  },
  {
    name: 'minimal jose middleware',
    framework: 'Express 5',
    credential: 'jwt-reused',
    command: peer('express-peer.ts'),
    env: { PEER: 'jose-minimal' },
  },
  {
    name: 'express-jwt',
    framework: 'Express 5',
    credential: 'jwt-reused',
    command: peer('express-peer.ts'),
    env: { PEER: 'express-jwt' },
  },
  {
    name: 'passport-jwt',
    framework: 'Express 5',
    credential: 'jwt-reused',
    command: peer('express-peer.ts'),
    env: { PEER: 'passport-jwt' },
  },
  { name: 'keyscope Basic', framework: 'Koa 3', credential: 'basic', command: example('koa') },
  {
    name: 'keyscope JWT reused',
    framework: 'Koa 3',
    credential: 'jwt-reused',
    command: example('koa'),
  },
  {
    name: 'keyscope JWT new per request',
    framework: 'Koa 3',
    credential: 'jwt-new',
    command: example('koa'),
  },
  {
    name: 'hand-written Basic floor',
    framework: 'Koa 3',
    credential: 'basic',
    command: peer('koa-peer.ts'),
    env: { PEER: 'floor-basic' },
  },
  {
    name: 'hand-written HS256 floor',
    framework: 'Koa 3',
    credential: 'jwt-reused',
    command: peer('koa-peer.ts'),
    env: { PEER: 'floor-hs256' },
  },
  {
    name: 'minimal jose middleware',
    framework: 'Koa 3',
    credential: 'jwt-reused',
    command: peer('koa-peer.ts'),
    env: { PEER: 'jose-minimal' },
  },
  {
    name: 'koa-jwt',
    framework: 'Koa 3',
    credential: 'jwt-reused',
    command: peer('koa-peer.ts'),
    env: { PEER: 'koa-jwt' },
  },
].filter((t) => !ONLY || ONLY.test(`${t.framework} ${t.name}`));

// ---------- processes ----------
export async function start(
  command: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const [cmd, ...args] = command as [string, ...string[]];
  const child = spawn(cmd, args, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errText = '';
  child.stderr?.on('data', (chunk) => {
    errText += chunk;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`no listening line from ${args.join(' ')}\n${errText}`)),
      30_000,
    );
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1] as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}\n${errText}`)));
  });
  child.stdout?.resume();
  return { url, child };
}

async function load(url: string, header?: () => string): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon({
    url,
    connections: 10,
    duration: DURATION,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: autocannon.Request) =>
          header ? { ...req, headers: { ...req.headers, authorization: header() } } : req,
      },
    ],
  });
  return { rps: result.requests.average, non2xx: result.non2xx + result.errors };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const running: { target: Target; url: string; child: ChildProcess }[] = [];
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('exit', stopAll);
  try {
    for (const target of targets) {
      const env = {
        KEYSCOPE_KEYS_FILE: target.manyKeys ? manyKeysFile : oneKeyFile,
        ...target.env,
      };
      const { url, child } = await start(target.command, env);
      children.push(child);
      running.push({ target, url, child });
      console.error(`started ${target.framework} / ${target.name} at ${url}`);
    }
    const ratios = new Map<Target, number[]>();
    const authRps = new Map<Target, number[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const { target, url } of running) {
        const health = await load(`${url}/health`);
        const auth = await load(`${url}/v2/apps/app_a`, headerSource(target.credential));
        if (auth.non2xx > 0 || health.non2xx > 0) {
          throw new Error(`${target.framework} / ${target.name}: ${auth.non2xx} failed requests`);
        }
        ratios.set(target, [...(ratios.get(target) ?? []), auth.rps / health.rps]);
        authRps.set(target, [...(authRps.get(target) ?? []), auth.rps]);
        console.error(
          `round ${round} ${target.framework} / ${target.name}: ${(auth.rps / health.rps).toFixed(2)}`,
        );
      }
    }
    stopAll();
    const micro = await runMicro();
    const memory = process.env.BENCH_SKIP_MEMORY
      ? []
      : await runMemory(start, oneKeyFile, benchKey);
    writeResults(ratios, authRps, micro, memory);
  } finally {
    stopAll();
  }
}

function writeResults(
  ratios: Map<Target, number[]>,
  authRps: Map<Target, number[]>,
  micro: { name: string; ratio: number; ns: number }[],
  memory: { name: string; requests: number; startMiB: number; peakMiB: number; endMiB: number }[],
): void {
  const pkg = (name: string) =>
    JSON.parse(readFileSync(join(repo, 'bench/node_modules', name, 'package.json'), 'utf8'))
      .version;
  const versions = [
    'express',
    'koa',
    'jose',
    'autocannon',
    'mitata',
    'express-basic-auth',
    'passport-http',
    'express-jwt',
    'passport-jwt',
    'koa-jwt',
  ]
    .map((name) => `${name} ${pkg(name)}`)
    .join(', ');
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench\` on ${new Date().toISOString()} (Node.js ${process.version}, ${ROUNDS} interleaved rounds of ${DURATION} s per route, 10 connections, 127.0.0.1).`,
    `Versions: ${versions}.`,
    '',
    'The machines are shared and noisy: only ratios measured side by side in this run are quoted.',
    '',
    '## Auth overhead ratio (requests/s on the guarded route / requests/s on /health, same server, same round; 1.00 = free)',
    '',
    '| framework | target | median ratio | min - max | guarded req/s (median) |',
    '|---|---|---|---|---|',
  ];
  for (const [target, values] of ratios) {
    lines.push(
      `| ${target.framework} | ${target.name} | ${median(values).toFixed(2)} | ${Math.min(...values).toFixed(2)} - ${Math.max(...values).toFixed(2)} | ${Math.round(median(authRps.get(target) ?? [0]))} |`,
    );
  }
  lines.push(
    '',
    '## Micro: cost per verification, as a ratio to a minimal node:crypto HMAC check',
    '',
  );
  lines.push('| verification | ratio | mean time |', '|---|---|---|');
  for (const row of micro)
    lines.push(`| ${row.name} | ${row.ratio.toFixed(2)} | ${(row.ns / 1000).toFixed(2)} µs |`);
  if (memory.length > 0) {
    lines.push('', '## Memory under floods (keyscope Express example)', '');
    lines.push(
      '| flood | requests | RSS at start | peak RSS | RSS at end |',
      '|---|---|---|---|---|',
    );
    for (const row of memory) {
      lines.push(
        `| ${row.name} | ${row.requests} | ${row.startMiB.toFixed(1)} MiB | ${row.peakMiB.toFixed(1)} MiB | ${row.endMiB.toFixed(1)} MiB |`,
      );
    }
  }
  lines.push(
    '',
    'Command: `pnpm bench` (environment: `BENCH_ROUNDS`, `BENCH_DURATION`, `BENCH_ONLY=<regex>`, `BENCH_SKIP_MEMORY=1`).',
    '',
  );
  writeFileSync(join(repo, 'bench/RESULTS.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
