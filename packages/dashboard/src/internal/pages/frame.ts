/**
 * What every page needs from the request besides its own data: the nonce, the mount path, the
 * signed-in operator (for the top bar: navigation, who is signed in, Sign out) and the one-time
 * notice or error of the change that led here. Pages take a `Frame` and add their title and body;
 * pages with forms take a `FormFrame`, which issues each form its one-time token.
 */
import { type Html, html } from '../html.js';
import type { PageInput } from '../layout.js';

/** The per-request part of a page. */
export type Frame = Pick<PageInput, 'nonce' | 'base' | 'operator' | 'notice' | 'error'>;

/** The frame of a signed-in page with forms. */
export interface FormFrame extends Frame {
  /** A fresh one-time token for a form that posts to `action`. */
  token(action: string): string;
}

/** The hidden field of a form's one-time token (which is also its CSRF token). */
export function tokenField(frame: FormFrame, action: string): Html {
  return html`<input type="hidden" name="_csrf" value="${frame.token(action)}">`;
}

/** A path segment for a URL: ids may hold any character but control characters. */
export const segment = (id: string): string => encodeURIComponent(id);
