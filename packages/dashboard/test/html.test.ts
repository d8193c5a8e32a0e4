/**
 * The HTML helper every page is written with: interpolations are escaped unless they are `Html`
 * made by the helper, arrays are joined, empty values render nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../src/internal/html.js';

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
    );
  });
});
