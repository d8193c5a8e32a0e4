/**
 * `pnpm --filter @keyscope/bench cpu-profile <server> <credential> [seconds]`: finds the hot spots of
 * one target. It starts the server under `node --cpu-prof`, drives its guarded route with
 * autocannon (10 connections) after a warm-up, stops it so that V8 writes the profile, and prints
 * the functions with the most self time and the most inclusive time, plus the share of samples
 * spent in keyscope's own code. `<server>` is `express` or `koa` (the example servers), or a file
 * of `src/servers` (with `PEER=...` in the environment for the peers); `<credential>` is `basic`,
 * `jwt-reused`, `jwt-new` or `basic-10k`; `BENCH_PATH` changes the route (default
 * `/v2/apps/app_a`). The `.cpuprofile` is kept for Chrome DevTools.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Credential, createFixtures } from './fixtures.ts';
import { cleanLogs, load, start, stop } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const total = profile.samples.length;
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(`${repo}/`, '');
    return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id) as ProfileNode;
    self.set(label(node), (self.get(label(node)) ?? 0) + 1);
    const area = areaOf(node, (at) => byId.get(parent.get(at) ?? -1));
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at) as ProfileNode);
      if (!seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
      }
    }
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, n]) => `${pct(n)}  ${name}`);
  return [
    `${total} samples`,
    '',
    'self time by area (native frames count for the JavaScript frame that called them):',
    ...rows(areas),
    '',
    'self time:',
    ...rows(self),
    '',
    'inclusive time:',
    ...rows(inclusive),
  ].join('\n');
}

const AREAS: [RegExp, string][] = [
  [/packages\/core\//, 'keyscope core'],
  [/packages\/(express|koa|fetch)\//, 'keyscope adapter'],
  [/examples\//, 'example app'],
  [/bench\/src\/servers\//, 'bench server'],
  [/\/jose\//, 'jose'],
  [
    /\/(express|router|koa|@koa|path-to-regexp|koa-compose|finalhandler|send|parseurl)[@/]/,
    'framework',
  ],
  [/node_modules/, 'other packages'],
  [/^node:internal\/crypto/, 'node:crypto'],
  [/^node:/, 'node (http, streams, events...)'],
];

/** Where a sample's time goes: its own frame's area, or for native code the caller's. */
function areaOf(node: ProfileNode, up: (id: number) => ProfileNode | undefined): string {
  const special = node.callFrame.functionName;
  if (special === '(garbage collector)' || special === '(idle)' || special === '(program)') {
    return special;
  }
  for (let at: ProfileNode | undefined = node; at !== undefined; at = up(at.id)) {
    const { url } = at.callFrame;
    if (url === '') continue;
    for (const [pattern, area] of AREAS) if (pattern.test(url)) return area;
    return 'other';
  }
  return 'native';
}

async function main(): Promise<void> {
  const [server = 'express', credential = 'basic', seconds = '10'] = process.argv.slice(2);
  const fixtures = createFixtures(100_000);
  const profileDir = mkdtempSync(join(tmpdir(), 'keyscope-profile-'));
  const script =
    server === 'express' || server === 'koa'
      ? join(repo, 'examples', server, 'src/server.ts')
      : join(here, 'servers', server.endsWith('.ts') ? server : `${server}.ts`);
  const { url, child } = await start(
    ['node', `--cpu-prof`, `--cpu-prof-dir=${profileDir}`, '--import', 'tsx', script],
    {
      KEYSCOPE_KEYS_FILE: credential === 'basic-10k' ? fixtures.manyKeysFile : fixtures.oneKeyFile,
    },
  );
  const source = fixtures.headers(credential as Credential);
  const header = credential === 'jwt-new' || credential === 'basic-10k' ? source : source();
  const route = process.env.BENCH_PATH ?? '/v2/apps/app_a';
  await load(`${url}${route}`, 2, header);
  const result = await load(`${url}${route}`, Number(seconds), header);
  console.error(`${Math.round(result.rps)} requests/s, ${result.bad} failed`);
  await stop(child);
  cleanLogs();
  rmSync(fixtures.dir, { recursive: true, force: true });
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no profile written (did the server exit cleanly?)');
  const path = join(profileDir, file);
  console.log(summarize(JSON.parse(readFileSync(path, 'utf8')) as Profile));
  console.log(`\nprofile: ${path}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
