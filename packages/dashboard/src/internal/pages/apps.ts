/**
 * The pages of apps: the list of the apps the operator's key may reach, an app's settings with its
 * API keys (and the per-app key limit explained when reached), and its test-token tab, which mints
 * a short-lived appUser JWT and shows it, with the matching `curl` line, once.
 */
import type { KeyInfo } from '@keyscope/core';
import { countActiveKeys } from '@keyscope/core/rules';
import { when } from '../format.js';
import { type Html, html, raw } from '../html.js';
import { layout } from '../layout.js';
import { type FormFrame, type Frame, segment, tokenField } from './frame.js';
import { copyButton, createKeyForm, keysTable, type Owner } from './keys.js';

/** One line of the apps list. */
export interface AppLine {
  readonly id: string;
  readonly activeKeys: number;
}

/** The apps list. */
export function appsPage(
  frame: Frame,
  input: { readonly apps: readonly AppLine[]; readonly scope: Html },
): Html {
  const items = input.apps.map(
    (app) => html`<li><a href="${frame.base}/apps/${segment(app.id)}"><code>${app.id}</code></a>
<span class="muted">${app.activeKeys} active ${app.activeKeys === 1 ? 'key' : 'keys'}</span></li>`,
  );
  return layout({
    ...frame,
    title: 'Apps',
    current: 'apps',
    body: html`<h1>Apps</h1>
<p>${input.scope}</p>
<div class="card">
${items.length === 0 ? html`<p>No app yet.</p>` : html`<ul class="plain apps" aria-label="Apps">${items}</ul>`}
</div>`,
  });
}

function appHeader(frame: Frame, appId: string, tab: 'keys' | 'token'): Html {
  const path = `${frame.base}/apps/${segment(appId)}`;
  const current = (name: string) => (tab === name ? raw(' aria-current="page"') : '');
  return html`<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="${frame.base}/apps">Apps</a></li><li aria-current="page">${appId}</li></ol></nav>
<h1>App <code>${appId}</code></h1>
<nav class="tabs" aria-label="App settings"><ul>
<li><a href="${path}"${current('keys')}>API keys</a></li>
<li><a href="${path}/token"${current('token')}>Test token</a></li>
</ul></nav>`;
}

/** What an app's keys page shows. */
export interface AppKeysInput {
  readonly owner: Owner;
  readonly keys: readonly KeyInfo[];
  readonly limit: number;
  readonly now: Date;
  /** The create form's values after a refused creation. */
  readonly values?: Readonly<Record<string, string>> | undefined;
}

/** The explanation of the per-app key limit. */
export function limitText(appId: string, limit: number): Html {
  return html`App <code>${appId}</code> has ${limit} active keys, the most an app may have. Revoked and expired keys do not count: revoke a key you no longer use, then create the new one (rotating also needs a free place).`;
}

/** An app's settings tab: its keys and the create-key form. */
export function appKeysPage(frame: FormFrame, input: AppKeysInput): Html {
  const { owner, limit, now } = input;
  const active = countActiveKeys(input.keys, owner.id, now);
  const atLimit = active >= limit;
  return layout({
    ...frame,
    title: `App ${owner.id}`,
    current: 'apps',
    body: html`${appHeader(frame, owner.id, 'keys')}
<section class="card" aria-labelledby="keys-heading">
<h2 id="keys-heading">API keys</h2>
<p class="muted">${active} of ${limit} active keys. A secret is shown only once, when its key is created.</p>
${keysTable(frame, { owner, keys: input.keys, now, caption: `Keys of app ${owner.id}` })}
</section>
<section class="card" aria-labelledby="create-heading">
<h2 id="create-heading">Create a key</h2>
${atLimit ? html`<p id="limit-note">${limitText(owner.id, limit)}</p>` : createKeyForm(frame, { owner, prefix: 'new-key', values: input.values })}
</section>`,
  });
}

/** A minted token, as the token tab shows it. */
export interface MintedToken {
  readonly token: string;
  readonly keyId: string;
  readonly userId: string;
  readonly expiresAt: Date;
  readonly curl: string;
}

/** What the token tab shows. */
export interface TokenInput {
  readonly appId: string;
  readonly keys: readonly KeyInfo[];
  /** Lifetime choices, in seconds. */
  readonly lifetimes: readonly number[];
  /** The form's values after a refused mint. */
  readonly values?: Readonly<Record<string, string>> | undefined;
  /** The token just minted, shown once. */
  readonly result?: MintedToken | undefined;
}

function lifetimeLabel(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} ${seconds === 3600 ? 'hour' : 'hours'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** The test-token tab. */
export function tokenPage(frame: FormFrame, input: TokenInput): Html {
  const { appId, values = {}, result } = input;
  const path = `${frame.base}/apps/${segment(appId)}`;
  const lifetime = Number(values.lifetime ?? 900);
  const selected = (yes: boolean) => (yes ? raw(' selected') : '');
  const longest = Math.max(...input.lifetimes);
  const form =
    input.keys.length === 0
      ? html`<p>App <code>${appId}</code> has no active key to sign with. <a href="${path}">Create a key</a> first.</p>`
      : html`<form method="post" action="${path}/token">
${tokenField(frame, `${path}/token`)}
<div class="fields">
  <div class="field">
    <label for="token-key">Signing key</label>
    <select id="token-key" name="keyId">
      ${input.keys.map((key) => html`<option value="${key.id}"${selected(key.id === values.keyId)}>${key.id}${key.displayName === undefined ? '' : ` (${key.displayName})`}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="token-user">End user id <span class="hint">(the userId claim)</span></label>
    <input id="token-user" name="userId" type="text" required maxlength="256" autocomplete="off" spellcheck="false" value="${values.userId ?? ''}">
  </div>
  <div class="field">
    <label for="token-lifetime">Lifetime</label>
    <select id="token-lifetime" name="lifetime">
      ${input.lifetimes.map((seconds) => html`<option value="${seconds}"${selected(seconds === lifetime)}>${lifetimeLabel(seconds)}</option>`)}
    </select>
  </div>
  <button class="primary" type="submit">Mint token</button>
</div>
</form>`;
  const output =
    result === undefined
      ? ''
      : html`<section class="card" aria-labelledby="token-heading">
<h2 id="token-heading">Token for user <code>${result.userId}</code></h2>
<div class="warning" role="alert"><strong>Treat this token as a password.</strong> It works until ${when(result.expiresAt, '')}, is not stored and is shown only this once: reloading this page or going back to it will not show it.</div>
<p><code class="value" id="minted-token" data-once>${result.token}</code></p>
<p>${copyButton('minted-token', 'token')}</p>
<h3>Call the API as this user</h3>
<pre><code id="minted-curl" data-once>${result.curl}</code></pre>
${copyButton('minted-curl', 'curl command')}
<p id="copy-status" role="status" aria-live="polite"></p>
</section>`;
  return layout({
    ...frame,
    title: `Test token for ${appId}`,
    current: 'apps',
    copy: result !== undefined,
    body: html`${appHeader(frame, appId, 'token')}
${output}
<section class="card" aria-labelledby="mint-heading">
<h2 id="mint-heading">Mint a test token</h2>
<p>An <code>appUser</code> JWT (HS256) signed with one of this app's keys, for trying an SDK or the API by hand. It lives at most ${lifetimeLabel(longest)}; nothing is stored.</p>
${form}
</section>`,
  });
}
