/**
 * Runs a package README's quick start, so that the code a reader copies is the code the tests run.
 * `readQuickStart` takes the `## Quick start` section of a README apart: each fenced block that is
 * not a shell block is a file, named by the last `name.ext` in backticks of the paragraph before it
 * (`Save the demo keys as \`keys.json\``, `then \`server.mjs\`:`); the shell block lists `curl`
 * lines, each followed by `# ` lines that say what it answers. `serveQuickStart` writes the files to
 * a scratch folder and starts the server they make; `checkCurl` sends one `curl` request and checks
 * the answer against those lines.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** One `curl` line of the quick start and what the README says it answers. */
export interface QuickStartCurl {
  /** The line as written (`curl -i -u id:secret http://127.0.0.1:3000/v2/whoami`). */
  readonly line: string;
  /**
   * The `# ` lines after it: `HTTP/1.1 403 Forbidden` (the status, then, after ` ... `, the exact
   * body), `Name: value` (a header), or the exact JSON body.
   */
  readonly expected: string[];
}

/** The files and the `curl` lines of a README's quick start. */
export interface QuickStart {
  /** File name -> content, in the order of the README. */
  readonly files: ReadonlyMap<string, string>;
  readonly curls: readonly QuickStartCurl[];
}

/**
 * Reads the `## Quick start` section of a README.
 *
 * @throws {Error} when the section, a file name or the `curl` lines are missing.
 * @example
 * ```ts
 * const { files, curls } = readQuickStart(new URL('../README.md', import.meta.url));
 * ```
 */
export function readQuickStart(readme: URL): QuickStart {
  const text = readFileSync(readme, 'utf8');
  const section = /^## Quick start\n([\s\S]*?)(?=^## )/m.exec(text)?.[1];
  if (section === undefined) throw new Error(`${readme.pathname}: no "## Quick start" section`);
  const files = new Map<string, string>();
  const curls: QuickStartCurl[] = [];
  let prose = '';
  let from = 0;
  for (const block of section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const [whole, language = '', code = ''] = block;
    const before = section.slice(from, block.index);
    from = block.index + whole.length;
    if (before.trim() !== '') prose = before;
    if (language === 'sh') {
      for (const line of code.split('\n')) {
        if (line.startsWith('curl ')) curls.push({ line, expected: [] });
        else if (line.startsWith('# ')) curls.at(-1)?.expected.push(line.slice(2));
      }
    } else {
      const name = [...prose.matchAll(/`([\w.-]+\.\w+)`/g)].at(-1)?.[1];
      if (name === undefined)
        throw new Error(`a ${language} block of the quick start has no file name`);
      files.set(name, code);
    }
  }
  if (curls.length === 0) throw new Error('the quick start shows no curl line');
  return { files, curls };
}

/**
 * Sends the request of a quick-start `curl` line (`-i`, `-u id:secret`, the URL) to `origin`
 * instead of the one written, and checks the answer against the lines the README shows.
 *
 * @example
 * ```ts
 * for (const curl of curls) await checkCurl(curl, 'http://127.0.0.1:41234');
 * ```
 */
export async function checkCurl(curl: QuickStartCurl, origin: string): Promise<void> {
  const words = curl.line.split(/\s+/).slice(1);
  const user = words[words.indexOf('-u') + 1];
  const url = new URL(words.at(-1) ?? '');
  const headers: Record<string, string> = {};
  if (words.includes('-u') && user !== undefined) {
    headers.authorization = `Basic ${Buffer.from(user, 'utf8').toString('base64')}`;
  }
  const response = await fetch(new URL(url.pathname + url.search, origin), { headers });
  const body = await response.text();
  expect(curl.expected.length, `${curl.line}: the README says what it answers`).toBeGreaterThan(0);
  for (const line of curl.expected) {
    const status = /^HTTP\/1\.1 (\d{3}) [^.]*(?: \.\.\. (.*))?$/.exec(line);
    const header = /^([\w-]+): (.*)$/.exec(line);
    if (status) {
      expect(response.status, curl.line).toBe(Number(status[1]));
      if (status[2] !== undefined)
        expect(JSON.parse(body), curl.line).toEqual(JSON.parse(status[2]));
    } else if (header) {
      expect(response.headers.get(header[1] as string), curl.line).toBe(header[2]);
    } else {
      expect(response.status, curl.line).toBeLessThan(300);
      expect(JSON.parse(body), curl.line).toEqual(JSON.parse(line));
    }
  }
}

/** A quick-start server the test started. */
export interface QuickStartServer {
  /** Where it listens (`http://127.0.0.1:<port>`). */
  readonly origin: string;
  /** Stops it and removes its scratch folder. */
  stop(): Promise<void>;
}

/**
 * Writes the quick start's files, as shown, to a new scratch folder inside `within` (a package's
 * folder, so that the package's own name and its dependencies resolve as they would from npm),
 * with one change: the port `3000` becomes `0` (any free port). Then runs `command` there, and
 * resolves once it prints `listening on http://<host>:<port>`.
 *
 * @throws {Error} when no file names port 3000, or the server exits before it listens.
 * @example
 * ```ts
 * const server = await serveQuickStart(quickStart, new URL('..', import.meta.url), ['node', 'server.mjs']);
 * ```
 */
export async function serveQuickStart(
  quickStart: QuickStart,
  within: URL,
  command: readonly [string, ...string[]],
): Promise<QuickStartServer> {
  const scratch = mkdtempSync(join(fileURLToPath(within), '.readme-'));
  let ports = 0;
  for (const [name, code] of quickStart.files) {
    ports += code.split('3000').length - 1;
    writeFileSync(join(scratch, name), code.replaceAll('3000', '0'));
  }
  const [program, ...args] = command;
  const child = spawn(program, args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    output += chunk;
  });
  try {
    if (ports !== 1) throw new Error(`the quick start names port 3000 ${ports} times, not once`);
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const found = /listening on http:\/\/\S+:(\d+)/.exec(output)?.[1];
        if (found !== undefined) resolve(found);
      });
      child.once('exit', (code) =>
        reject(new Error(`exited (${code}) before listening: ${output}`)),
      );
    });
    return { origin: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
