/**
 * Keeps the README honest: every line its diffs add is in the sources as shown, and every line
 * they remove is gone, so the diff of "adding keyscope" cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
// A fence may be longer than three backticks when the diff itself holds three.
const diffs = [...read('README.md').matchAll(/^(`{3,})diff\n([\s\S]*?)^\1$/gm)].map(
  (m) => m[2] ?? '',
);

describe('README diffs', () => {
  it('has one diff per changed file', () => {
    expect(diffs.map((d) => /^\+\+\+ b\/(\S+)/m.exec(d)?.[1])).toEqual([
      'src/app.ts',
      'src/server.ts',
    ]);
  });

  it.each(diffs.map((d) => [/^\+\+\+ b\/(\S+)/m.exec(d)?.[1] ?? '', d]))(
    '%s matches the source',
    (file, diff) => {
      const source = read(file).split('\n');
      const lines = diff.split('\n').filter((l) => !/^(\+\+\+|---|@@)/.test(l) && l !== '');
      // The diff's "after" side (context and added lines) is a run of the source file.
      const after = lines.filter((l) => !l.startsWith('-')).map((l) => l.slice(1));
      for (const line of after) expect(source).toContain(line);
      for (const line of lines.filter((l) => l.startsWith('-'))) {
        expect(source).not.toContain(line.slice(1));
      }
    },
  );
});
