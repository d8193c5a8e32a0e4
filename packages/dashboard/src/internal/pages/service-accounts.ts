/**
 * The service-accounts page (user-account operators only): the service accounts of the operator's
 * account, the apps each is granted, their keys, and the forms to create a service account, grant
 * it an app and create a key for it.
 */
import type { KeyInfo } from '@keyscope/core';
import { type Html, html } from '../html.js';
import { layout } from '../layout.js';
import { type FormFrame, segment, tokenField } from './frame.js';
import { createKeyForm, keysTable, type Owner } from './keys.js';

/** One service account as the page shows it. */
export interface ServiceAccountView {
  readonly id: string;
  readonly appIds: readonly string[];
  readonly keys: readonly KeyInfo[];
}

/** What the page shows. */
export interface ServiceAccountsInput {
  readonly accountId: string;
  readonly serviceAccounts: readonly ServiceAccountView[];
  /** The apps of the account, which may be granted. */
  readonly apps: readonly string[];
  readonly now: Date;
  /** The values of a refused form (`id` of the create form), to fill it again. */
  readonly values?: Readonly<Record<string, string>> | undefined;
}

/** Renders the page. */
export function serviceAccountsPage(frame: FormFrame, input: ServiceAccountsInput): Html {
  const { now, values = {} } = input;
  const sections = input.serviceAccounts.map((svc, index) => {
    const path = `${frame.base}/service-accounts/${segment(svc.id)}`;
    const owner: Owner = {
      type: 'serviceAccount',
      id: svc.id,
      path,
      backPath: `${frame.base}/service-accounts`,
    };
    const grantable = input.apps.filter((app) => !svc.appIds.includes(app));
    const heading = `svc-${index}-heading`;
    return html`<section class="card" aria-labelledby="${heading}">
<h2 id="${heading}">Service account <code>${svc.id}</code></h2>
<p>Apps granted: ${svc.appIds.length === 0 ? html`<strong>none yet</strong> (its keys reach no app)` : svc.appIds.map((app, i) => html`${i > 0 ? ', ' : ''}<code>${app}</code>`)}</p>
${
  grantable.length === 0
    ? html`<p class="muted">It is granted every app of the account.</p>`
    : html`<form method="post" action="${path}/grants">
${tokenField(frame, `${path}/grants`)}
<div class="fields">
  <div class="field">
    <label for="svc-${index}-app">App to grant</label>
    <select id="svc-${index}-app" name="appId">${grantable.map((app) => html`<option value="${app}">${app}</option>`)}</select>
  </div>
  <button type="submit">Grant app<span class="vh"> to ${svc.id}</span></button>
</div>
</form>`
}
<h3>Keys</h3>
${keysTable(frame, { owner, keys: svc.keys, now, caption: `Keys of service account ${svc.id}` })}
<h3>Create a key</h3>
${createKeyForm(frame, { owner, prefix: `svc-${index}-key` })}
</section>`;
  });
  return layout({
    ...frame,
    title: 'Service accounts',
    current: 'service-accounts',
    body: html`<h1>Service accounts</h1>
<p>Service accounts of account <code>${input.accountId}</code>. A service account's keys reach only the apps granted to it.</p>
${input.serviceAccounts.length === 0 ? html`<p>No service account yet.</p>` : sections}
<section class="card" aria-labelledby="new-svc-heading">
<h2 id="new-svc-heading">Create a service account</h2>
<form method="post" action="${frame.base}/service-accounts">
${tokenField(frame, `${frame.base}/service-accounts`)}
<div class="fields">
  <div class="field">
    <label for="new-svc-id">Service account id <span class="hint">(for example svc_ci)</span></label>
    <input id="new-svc-id" name="id" type="text" required maxlength="256" autocomplete="off" spellcheck="false" value="${values.id ?? ''}">
  </div>
  <button class="primary" type="submit">Create service account</button>
</div>
</form>
</section>`,
  });
}
