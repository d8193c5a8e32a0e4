/**
 * The sign-in page: a form posting the key id and the secret of a user-account or service-account
 * key, with the sign-in form token. Shows why the last attempt failed, in words.
 */
import { type Html, html } from '../html.js';
import { layout } from '../layout.js';
import type { Frame } from './frame.js';

/** What the sign-in page shows. */
export interface SignInInput {
  readonly formToken: string;
  /** Why the last attempt was refused. */
  readonly error?: string | undefined;
  /** The key id typed before (never the secret). */
  readonly keyId?: string | undefined;
}

/** Renders the sign-in page. */
export function signInPage(frame: Frame, input: SignInInput): Html {
  const error = input.error;
  return layout({
    ...frame,
    title: 'Sign in',
    body: html`<div class="signin">
<h1>Sign in</h1>
<p>Sign in with the key of a <strong>user account</strong> (<code>act_…</code>) or a <strong>service account</strong> (<code>svc_…</code>). App keys cannot sign in.</p>
${error === undefined ? '' : html`<div class="notice error" role="alert" id="signin-error"><p>${error}</p></div>`}
<form class="card" method="post" action="${frame.base}/sign-in">
  <input type="hidden" name="_csrf" value="${input.formToken}">
  <div class="field">
    <label for="keyId">Key id</label>
    <input id="keyId" name="keyId" type="text" required maxlength="256" autocomplete="username" spellcheck="false" autocapitalize="off" value="${input.keyId ?? ''}"${error === undefined ? '' : html` aria-describedby="signin-error"`}>
  </div>
  <div class="field">
    <label for="secret">Secret</label>
    <input id="secret" name="secret" type="password" required maxlength="4096" autocomplete="current-password">
  </div>
  <button class="primary" type="submit">Sign in</button>
</form>
<p class="muted">The session ends after a while without activity, at sign-out, and as soon as the key is revoked or expires.</p>
</div>`,
  });
}
