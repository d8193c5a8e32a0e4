/**
 * The dashboard's only way to write HTML: the `html` tagged template, which escapes every
 * interpolated value (`&`, `<`, `>`, `"`, `'`, and the backtick) unless it is already `Html` made by
 * `html` itself, so that no id, name or message read from the store or the request can inject markup.
 * Arrays of `Html` are joined; `undefined`, `null` and `false` render as nothing. Attribute values
 * must always be written in double quotes, which the escaping makes safe.
 */

/** A piece of markup that is already safe: made only by {@link html} or {@link raw}. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes text for HTML content and double-quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => ESCAPES[char] as string);
}

/** What may be interpolated: text and numbers are escaped, `Html` is kept, nothing renders empty. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/**
 * The tagged template: `html\`<p>${text}</p>\`` escapes `text`.
 *
 * @example
 * ```ts
 * const row = html`<td>${key.displayName}</td>`;
 * const table = html`<table>${rows}</table>`; // rows: Html[]
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) {
    out += render(values[i] as HtmlValue) + (strings[i + 1] as string);
  }
  return new Html(out);
}

/** Markup written by this package itself (the style sheet and the copy script); never for input. */
export function raw(text: string): Html {
  return new Html(text);
}
