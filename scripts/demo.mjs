/**
 * The project's main command (`pnpm start`, after the build): starts the Express example with its
 * demo keys file, waits for its `listening on` line, then prints three `curl` lines that work when
 * pasted (HTTP Basic with the demo app key, a freshly minted appUser JWT, and a refused request),
 * runs each once itself and prints the real status and body beside it, and keeps the server in the
 * foreground, passing its audit log through, until Ctrl-C: then the server drains, flushes its
 * log and exits, and so does the script, with code 0 (`pnpm start` execs it, so a Ctrl-C to the
 * whole process group ends with 0 too). `PORT` (default 3000) and `HOST` (default 127.0.0.1) are
 * honoured; a busy port falls back to a free one. The secrets printed are the demo file's, made
 * for this.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'express');
const KEYS_FILE = join(EXAMPLE, 'keys.demo.json');
const DEMO_USER = 'user_1';

const host = process.env.HOST?.trim() || '127.0.0.1';
const wanted = process.env.PORT?.trim() || '3000';
if (!/^\d{1,5}$/.test(wanted) || Number(wanted) > 65535) {
  fail(`PORT must be a port number from 0 to 65535, not "${wanted}"`);
}

const keys = JSON.parse(await readFile(KEYS_FILE, 'utf8'));
const appKey = keys.keys.find((key) => key.entity.type === 'app' && key.entity.id === 'app_a');
if (appKey === undefined) fail(`${KEYS_FILE} has no key of app_a`);

// jose is a dependency of the example (and of @keyscope/core), not of the repository root.
const { SignJWT } = await import(
  pathToFileURL(createRequire(join(EXAMPLE, 'package.json')).resolve('jose')).href
);

let port = Number(wanted);
if (port !== 0 && !(await isFree(port, host))) {
  console.log(`port ${port} is busy on ${host}; using a free port instead`);
  port = 0;
}

const server = startServer(port);
// Ctrl-C (or SIGTERM) stops the server and then the script, from the moment the server exists.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    server.kill('SIGTERM');
  });
}
const url = await listening(server);

const token = await new SignJWT({ scope: 'appUser', userId: DEMO_USER })
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: appKey.id })
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(appKey.secret));
const basic = `${appKey.id}:${appKey.secret}`;

const examples = [
  {
    title: 'HTTP Basic with the demo app key of app_a (app scope)',
    path: '/v2/apps/app_a',
    curl: ['-u', basic],
    headers: { Authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
  },
  {
    title: `A Bearer JWT for the user ${DEMO_USER} of app_a (appUser scope), minted now, valid 1 hour`,
    path: `/v2/apps/app_a/users/${DEMO_USER}`,
    curl: ['-H', `Authorization: Bearer ${token}`],
    headers: { Authorization: `Bearer ${token}` },
  },
  {
    title: 'Refused: the app key of app_a may not read app_b',
    path: '/v2/apps/app_b',
    curl: ['-u', basic],
    headers: { Authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
  },
];

const out = [
  '',
  `keyscope demo: the Express example is listening on ${url}`,
  `keys: ${relative(process.cwd(), KEYS_FILE) || KEYS_FILE} (demo secrets, not for production)`,
  '',
  'Paste any of these into another terminal:',
];
for (const [index, example] of examples.entries()) {
  const target = `${url}${example.path}`;
  let result;
  try {
    const res = await fetch(target, { headers: example.headers });
    const challenge = res.headers.get('www-authenticate');
    result = `${res.status} ${await res.text()}${challenge ? `  (WWW-Authenticate: ${challenge})` : ''}`;
  } catch (error) {
    result = `request failed: ${error.message}`;
  }
  out.push(
    '',
    `# ${index + 1}. ${example.title}`,
    [
      'curl',
      '-i',
      ...example.curl.map((arg, i) => (i % 2 === 1 ? quote(arg, true) : arg)),
      quote(target),
    ].join(' '),
    `#    -> ${result}`,
  );
}
out.push('', `The server keeps running at ${url}; press Ctrl-C to stop it.`, '');
console.log(out.join('\n'));

// From here on, whatever the server prints goes straight through, starting with the audit lines
// of the three requests above (held back until now).
server.stdout.on('data', (chunk) => process.stdout.write(chunk));
server.stdout.resume();

// 'close': the server has exited and everything it printed (its last audit lines, flushed on
// SIGTERM) has been passed on.
server.on('close', (code, signal) => {
  if (stopping) process.exit(0);
  console.error(`the server stopped unexpectedly (${signal ?? `exit code ${code}`})`);
  process.exit(code || 1);
});

/** Starts the example server on `port`, with the demo keys and no other keyscope settings. */
function startServer(port) {
  const env = { ...process.env, PORT: String(port), HOST: host, KEYSCOPE_KEYS_FILE: KEYS_FILE };
  delete env.KEYSCOPE_STORE;
  delete env.KEYSCOPE_RATE_LIMIT;
  return spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: EXAMPLE,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Resolves the URL of the server's `listening on` line; exits if the server stops first. */
function listening(child) {
  return new Promise((resolve) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      fail('the server printed no "listening on" line within 30 s');
    }, 30_000);
    const onData = (chunk) => {
      seen += chunk;
      const match = /^listening on (http:\/\/\S+)$/m.exec(seen);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      // Keep what comes next (the audit log) until the summary is printed.
      child.stdout.pause();
      child.off('exit', onExit);
      resolve(match[1]);
    };
    const onExit = (code) =>
      stopping ? process.exit(0) : fail(`the server exited with code ${code} before listening`);
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}

/** Whether `port` can be listened on at `host` right now. */
function isFree(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Quotes a value for a POSIX shell (`always`: even when it would not need it). */
function quote(value, always = false) {
  if (!always && /^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}
