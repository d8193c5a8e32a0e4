/**
 * Keeps the README's quick start honest: its `keys.json` and `server.mjs` are written, as shown, to
 * a scratch folder inside this package (so that `@keyscope/fastify` resolves to the built package,
 * as it would from npm), the server is started with plain `node` on a free port, and every `curl`
 * line of the README is sent to it and must answer what the README says. Needs `pnpm build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCurl, readQuickStart } from '@keyscope/test-kit';
import { afterAll, expect, it } from 'vitest';

const quickStart = readQuickStart(new URL('../README.md', import.meta.url));
const scratch = mkdtempSync(fileURLToPath(new URL('./.readme-', import.meta.url)));
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server?.exitCode === null) {
    server.kill();
    await once(server, 'exit');
  }
  rmSync(scratch, { recursive: true, force: true });
});

it('shows keys.json and server.mjs, and curl lines with their answers', () => {
  expect([...quickStart.files.keys()]).toEqual(['keys.json', 'server.mjs']);
  expect(quickStart.curls.length).toBeGreaterThanOrEqual(3);
});

it('serves what the curl lines say', async () => {
  for (const [name, code] of quickStart.files) {
    // The one change: any free port instead of 3000.
    const source = name === 'server.mjs' ? code.replace('{ port: 3000 }', '{ port: 0 }') : code;
    expect(source, `${name} listens on a port the test can change`).not.toContain('3000');
    writeFileSync(join(scratch, name), source);
  }
  server = spawn(process.execPath, ['server.mjs'], {
    cwd: scratch,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  server.stdout?.setEncoding('utf8');
  const port = await new Promise<string>((resolve, reject) => {
    server?.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const found = /listening on http:\/\/\S+:(\d+)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    server?.once('exit', (code) => reject(new Error(`server.mjs exited (${code}): ${output}`)));
  });
  for (const curl of quickStart.curls) await checkCurl(curl, `http://127.0.0.1:${port}`);
}, 30_000);
