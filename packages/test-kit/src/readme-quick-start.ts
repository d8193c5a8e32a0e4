/**
 * Runs a package README's quick start, so that the code a reader copies is the code the tests run.
 * `readQuickStart` takes the `## Quick start` section of a README apart: each fenced block that is
 * not a shell block is a file, named by the last `name.ext` in backticks of the paragraph before it
 * (`Save the demo keys as \`keys.json\``, `then \`server.mjs\`:`); the shell block lists `curl`
 * lines, each followed by `# ` lines that say what it answers. `checkCurl` sends one such request
 * and checks the answer against those lines.
 */
import { readFileSync } from 'node:fs';
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
