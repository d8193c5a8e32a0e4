/**
 * The key pieces shared by the app and service-account pages: the keys table (id, name, created,
 * expiry, state in words; never a secret; one labelled block per key on narrow screens), the
 * create-key form, the page that shows a new key's secret once with copy buttons (and the page
 * that says it cannot be shown again), and the revoke confirmation page. Every form carries its own
 * one-time token.
 */
import { type KeyInfo, keyState } from '@keyscope/core';
import { EXPIRY_CHOICES, shellQuote, stateBadge, when } from '../format.js';
import { type Html, html, raw } from '../html.js';
import { layout } from '../layout.js';
import type { KeyReveal } from '../reveals.js';
import { type FormFrame, type Frame, segment, tokenField } from './frame.js';

/** The owner of the keys on a page: an app or a service account. */
export interface Owner {
  readonly type: 'app' | 'serviceAccount';
  readonly id: string;
  /** `${base}/apps/app_a` or `${base}/service-accounts/svc_1`. */
  readonly path: string;
  /** Where "back" goes (the owner's keys). */
  readonly backPath: string;
}

/** `app app_a` / `service account svc_1`, with the id in code. */
export function ownerText(owner: Pick<Owner, 'type' | 'id'>): Html {
  return html`${owner.type === 'app' ? 'app' : 'service account'} <code>${owner.id}</code>`;
}

/** The keys table of an owner. */
export function keysTable(
  frame: FormFrame,
  input: {
    readonly owner: Owner;
    readonly keys: readonly KeyInfo[];
    readonly now: Date;
    readonly caption: string;
  },
): Html {
  const { owner, now } = input;
  if (input.keys.length === 0) {
    return html`<p>${input.caption}: none yet.</p>`;
  }
  const rows = input.keys.map((key) => {
    const active = keyState(key, now) === 'active';
    const keyPath = `${owner.path}/keys/${segment(key.id)}`;
    const actions = active
      ? html`<span class="actions"><form class="inline" method="post" action="${keyPath}/rotate">
${tokenField(frame, `${keyPath}/rotate`)}
<button type="submit">Rotate<span class="vh"> key ${key.id}</span></button>
</form><a href="${keyPath}/revoke">Revoke<span class="vh"> key ${key.id}</span></a></span>`
      : html`<span class="muted">none</span>`;
    return html`<tr>
<td data-label="Key id"><code>${key.id}</code></td>
<td data-label="Name">${key.displayName ?? html`<span class="muted">no name</span>`}</td>
<td data-label="Created (UTC)">${when(key.createdAt, 'unknown', false)}</td>
<td data-label="Expires (UTC)">${when(key.expiresAt, 'never', false)}</td>
<td data-label="State">${stateBadge(key, now)}</td>
<td data-label="Actions">${actions}</td>
</tr>`;
  });
  return html`<table class="keys">
<caption class="vh">${input.caption}</caption>
<colgroup><col class="c-id"><col class="c-name"><col class="c-when"><col class="c-when"><col class="c-state"><col class="c-actions"></colgroup>
<thead><tr><th scope="col">Key id</th><th scope="col">Name</th><th scope="col">Created (UTC)</th><th scope="col">Expires (UTC)</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/**
 * The create-key form. `prefix` keeps the ids of several forms on one page apart; `values` fills
 * it again after a refused creation.
 */
export function createKeyForm(
  frame: FormFrame,
  input: {
    readonly owner: Owner;
    readonly prefix: string;
    readonly values?: Readonly<Record<string, string>> | undefined;
  },
): Html {
  const { prefix, values = {} } = input;
  const action = `${input.owner.path}/keys`;
  return html`<form method="post" action="${action}">
${tokenField(frame, action)}
<div class="fields">
  <div class="field">
    <label for="${prefix}-name">Name <span class="hint">(optional, for people)</span></label>
    <input id="${prefix}-name" name="name" type="text" maxlength="256" autocomplete="off" value="${values.name ?? ''}">
  </div>
  <div class="field">
    <label for="${prefix}-expires">Expires</label>
    <select id="${prefix}-expires" name="expires">
      ${EXPIRY_CHOICES.map((choice) => html`<option value="${choice.value}"${choice.value === values.expires ? raw(' selected') : ''}>${choice.label}</option>`)}
    </select>
  </div>
  <button class="primary" type="submit">Create key<span class="vh"> for ${input.owner.type === 'app' ? 'app' : 'service account'} ${input.owner.id}</span></button>
</div>
</form>`;
}

/** The copy button of the element `id`. */
export function copyButton(id: string, what: string): Html {
  return html`<button type="button" data-copy="${id}" data-what="${what}">Copy ${what}</button>`;
}

/** The page that shows a new key and its secret, once. */
export function createdKeyPage(frame: Frame, input: KeyReveal): Html {
  const { owner, key, replaces } = input;
  const title = replaces === undefined ? 'Key created' : 'Key rotated';
  const curl = `curl -u ${shellQuote(`${key.id}:${input.secret}`)} ${shellQuote(input.tryUrl)}`;
  return layout({
    ...frame,
    title,
    current: owner.type === 'app' ? 'apps' : 'service-accounts',
    copy: true,
    body: html`<h1>${title}</h1>
<p>A new key for ${ownerText(owner)}${replaces === undefined ? '' : html`, replacing <code>${replaces.id}</code>`}.</p>
<div class="warning" role="alert"><strong>Warning: copy the secret now.</strong> It is shown only this once and cannot be shown again: reloading this page, going back to it or opening it in another tab will not show it. Keep it in a secret manager: anyone who has it can call the API as ${ownerText(owner)}.</div>
<dl class="secret">
  <dt>Key id</dt><dd><code class="value" id="created-key-id">${key.id}</code>${copyButton('created-key-id', 'key id')}</dd>
  <dt>Secret</dt><dd><code class="value" id="created-key-secret" data-once>${input.secret}</code>${copyButton('created-key-secret', 'secret')}</dd>
  <dt>Name</dt><dd>${key.displayName ?? html`<span class="muted">no name</span>`}</dd>
  <dt>Expires</dt><dd>${when(key.expiresAt, 'never')}</dd>
</dl>
<p id="copy-status" role="status" aria-live="polite"></p>
<section class="card" aria-labelledby="try-heading">
<h2 id="try-heading">Try it</h2>
<pre><code id="created-key-curl" data-once>${curl}</code></pre>
${copyButton('created-key-curl', 'curl command')}
</section>
${
  replaces === undefined
    ? ''
    : html`<div class="notice"><p>The old key <code>${replaces.id}</code> keeps working until you revoke it. Deploy the new key first, then <a href="${owner.path}/keys/${segment(replaces.id)}/revoke">revoke the old key</a>.</p></div>`
}
<p><a href="${owner.backPath}">Back to the keys of ${owner.type === 'app' ? 'app' : 'service account'} ${owner.id}</a></p>`,
  });
}

/** The page where a secret was shown once already: it says so, and what to do instead. */
export function secretGonePage(
  frame: Frame,
  input: { readonly owner: Owner; readonly keyId: string },
): Html {
  const { owner, keyId } = input;
  return layout({
    ...frame,
    title: 'Secret no longer shown',
    current: owner.type === 'app' ? 'apps' : 'service-accounts',
    body: html`<h1>Secret no longer shown</h1>
<div class="notice error" role="alert"><p>The secret of key <code>${keyId}</code> was shown once, on the page this address led to, and cannot be shown again (a reload, Back or another tab does not show it twice). Nothing was created or changed by opening this page.</p></div>
<p>If you did not copy it, rotate the key (the replacement's secret is shown once) or revoke it and create a new one.</p>
<p><a href="${owner.backPath}">Back to the keys of ${owner.type === 'app' ? 'app' : 'service account'} ${owner.id}</a></p>`,
  });
}

/** The revoke confirmation page. */
export function revokePage(frame: FormFrame, input: { owner: Owner; key: KeyInfo }): Html {
  const { owner, key } = input;
  const action = `${owner.path}/keys/${segment(key.id)}/revoke`;
  return layout({
    ...frame,
    title: 'Revoke a key',
    current: owner.type === 'app' ? 'apps' : 'service-accounts',
    body: html`<h1>Revoke key <code>${key.id}</code>?</h1>
<div class="card">
<p>Key <code>${key.id}</code>${key.displayName === undefined ? '' : html` (“${key.displayName}”)`} of ${ownerText(owner)}.</p>
<p>Servers refuse the key within two seconds. This cannot be undone; the record is kept for audits.</p>
<form method="post" action="${action}">
${tokenField(frame, action)}
<button class="danger" type="submit">Revoke key ${key.id}</button>
<a class="cancel" href="${owner.backPath}">Cancel</a>
</form>
</div>`,
  });
}
