/**
 * The page of a refusal or a failure: a heading, one explanation in words, and a way back. Used for
 * 403 (CSRF, an app or area the operator may not see), 404, 429, 503 and 500.
 */
import { type Html, html } from '../html.js';
import { layout } from '../layout.js';
import type { Frame } from './frame.js';

/** What a message page says. */
export interface MessageInput {
  readonly title: string;
  readonly message: Html | string;
  readonly link?: { readonly href: string; readonly label: string } | undefined;
}

/** Renders a message page. */
export function messagePage(frame: Frame, input: MessageInput): Html {
  return layout({
    ...frame,
    title: input.title,
    body: html`<h1>${input.title}</h1>
<div class="notice error" role="alert"><p>${input.message}</p></div>
${input.link === undefined ? '' : html`<p><a href="${input.link.href}">${input.link.label}</a></p>`}`,
  });
}
