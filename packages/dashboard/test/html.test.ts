/**
 * The HTML helper every page is written with: interpolations are escaped unless they are `Html`
 * made by the helper, arrays are joined, empty values render nothing. The property test draws the
 * same cases on every run (a fixed fast-check seed); `KEYSCOPE_FC_SEED=<32-bit integer>` draws
 * others, and a failure reports its seed and path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../src/internal/html.js';

/** The fast-check seed: `KEYSCOPE_FC_SEED` when set, else the repository's fixed default. */
function fastCheckSeed(): number {
  const text = process.env.KEYSCOPE_FC_SEED?.trim();
  if (text === undefined || text === '') return 1_215_803_443;
  const seed = Number(text);
  if (!(Number.isInteger(seed) && seed >= -(2 ** 31) && seed < 2 ** 31)) {
    throw new Error(`KEYSCOPE_FC_SEED must be a 32-bit integer, not ${JSON.stringify(text)}`);
  }
  return seed;
}

const seed = fastCheckSeed();

describe('html``', () => {
  it('escapes every interpolated text', () => {
    const name = `<img src=x onerror="alert('1')">\`&`;
    expect(html`<td title="${name}">${name}</td>`.toString()).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&#96;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&#96;&amp;</td>',
    );
  });

  it('keeps markup it made, joins arrays, renders nothing for empty values', () => {
    const rows = ['a<', 'b'].map((text) => html`<li>${text}</li>`);
    expect(html`<ul>${rows}</ul>${undefined}${null}${false}${0}`.toString()).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul>0',
    );
    expect(html`${raw('<b>')}`.toString()).toBe('<b>');
  });

  it('never lets a text out of an attribute or into a tag', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39|#96);/g, '')).not.toContain('&');
      }),
      // fast-check's report names the seed and the path of the shrunk case on failure.
      { seed, numRuns: 500 },
    );
  });
});
