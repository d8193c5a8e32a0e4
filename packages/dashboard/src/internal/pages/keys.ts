/**
 * The key pieces shared by the app and service-account pages: the keys table (id, name, created,
 * expiry, state in words; never a secret), the create-key form, the page that shows a new key's
 * secret once with copy buttons, and the revoke confirmation page.
 */
import { type KeyInfo, keyState } from '@keyscope/core';
import { EXPIRY_CHOICES, shellQuote, stateBadge, when } from '../format.js';
import { type Html, html } from '../html.js';
import { layout } from '../layout.js';
import type { Frame } from './frame.js';
import { segment } from './frame.js';

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
export function keysTable(input: {
  readonly owner: Owner;
  readonly keys: readonly KeyInfo[];
  readonly now: Date;
  readonly csrfToken: string;
  readonly caption: string;
}): Html {
  const { owner, now } = input;
  if (input.keys.length === 0) {
    return html`<p>${input.caption}: none yet.</p>`;
  }
  const rows = input.keys.map((key) => {
    const active = keyState(key, now) === 'active';
    const keyPath = `${owner.path}/keys/${segment(key.id)}`;
    const actions = active
      ? html`<form class="inline" method="post" action="${keyPath}/rotate">
<input type="hidden" name="_csrf" value="${input.csrfToken}">
<button type="submit">Rotate<span class="vh"> key ${key.id}</span></button>
</form><a href="${keyPath}/revoke">Revoke<span class="vh"> key ${key.id}</span></a>`
      : html`<span class="muted">none</span>`;
    return html`<tr>
<td><code>${key.id}</code></td>
<td>${key.displayName ?? html`<span class="muted">no name</span>`}</td>
<td>${when(key.createdAt, 'unknown', false)}</td>
<td>${when(key.expiresAt, 'never', false)}</td>
<td>${stateBadge(key, now)}</td>
<td class="actions">${actions}</td>
</tr>`;
  });
  return html`<div class="scroll" role="region" aria-label="${input.caption}" tabindex="0"><table>
<caption class="vh">${input.caption}</caption>
<thead><tr><th scope="col">Key id</th><th scope="col">Name</th><th scope="col">Created (UTC)</th><th scope="col">Expires (UTC)</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/** The create-key form. `prefix` keeps the ids of several forms on one page apart. */
export function createKeyForm(input: {
  readonly owner: Owner;
  readonly csrfToken: string;
  readonly prefix: string;
}): Html {
  const { prefix } = input;
  return html`<form method="post" action="${input.owner.path}/keys">
<input type="hidden" name="_csrf" value="${input.csrfToken}">
<div class="fields">
  <div class="field">
    <label for="${prefix}-name">Name <span class="hint">(optional, for people)</span></label>
    <input id="${prefix}-name" name="name" type="text" maxlength="256" autocomplete="off">
  </div>
  <div class="field">
    <label for="${prefix}-expires">Expires</label>
    <select id="${prefix}-expires" name="expires">
      ${EXPIRY_CHOICES.map((choice) => html`<option value="${choice.value}">${choice.label}</option>`)}
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

/** What the created-key page shows. */
export interface CreatedKeyInput {
  readonly owner: Owner;
  readonly key: KeyInfo;
  readonly secret: string;
  /** A `curl` line that uses the key against the API. */
  readonly tryUrl: string;
  /** The key this one replaces (rotation). */
  readonly replaces?: KeyInfo | undefined;
}

/** The page that shows a new key and its secret, once. */
export function createdKeyPage(frame: Frame, input: CreatedKeyInput): Html {
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
<div class="warning" role="alert"><strong>Warning: copy the secret now.</strong> It is shown only this once and cannot be shown again. Keep it in a secret manager: anyone who has it can call the API as ${ownerText(owner)}.</div>
<dl class="secret">
  <dt>Key id</dt><dd><code class="value" id="created-key-id">${key.id}</code>${copyButton('created-key-id', 'key id')}</dd>
  <dt>Secret</dt><dd><code class="value" id="created-key-secret">${input.secret}</code>${copyButton('created-key-secret', 'secret')}</dd>
  <dt>Name</dt><dd>${key.displayName ?? html`<span class="muted">no name</span>`}</dd>
  <dt>Expires</dt><dd>${when(key.expiresAt, 'never')}</dd>
</dl>
<p id="copy-status" role="status" aria-live="polite"></p>
<section class="card" aria-labelledby="try-heading">
<h2 id="try-heading">Try it</h2>
<pre><code id="created-key-curl">${curl}</code></pre>
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

/** The revoke confirmation page. */
export function revokePage(
  frame: Frame,
  input: { owner: Owner; key: KeyInfo; csrfToken: string },
): Html {
  const { owner, key } = input;
  return layout({
    ...frame,
    title: 'Revoke a key',
    current: owner.type === 'app' ? 'apps' : 'service-accounts',
    body: html`<h1>Revoke key <code>${key.id}</code>?</h1>
<div class="card">
<p>Key <code>${key.id}</code>${key.displayName === undefined ? '' : html` (“${key.displayName}”)`} of ${ownerText(owner)}.</p>
<p>Servers refuse the key within two seconds. This cannot be undone; the record is kept for audits.</p>
<form method="post" action="${owner.path}/keys/${segment(key.id)}/revoke">
<input type="hidden" name="_csrf" value="${input.csrfToken}">
<button class="danger" type="submit">Revoke key ${key.id}</button>
<a class="cancel" href="${owner.backPath}">Cancel</a>
</form>
</div>`,
  });
}
