/**
 * `dashboard()`: the key-management dashboard as an Express router, to mount where the app likes
 * (`app.use('/keyscope', dashboard({ store }))`). An operator signs in with a user-account or
 * service-account key (checked by keyscope's own authenticator, with Basic semantics) and sees
 * exactly the apps that key may reach: their API keys (never a secret after creation), creating (the
 * secret shown once), rotating and revoking keys, minting a short-lived appUser JWT with its `curl`
 * line, and, for user-account operators, service accounts and their app grants. Every change is a
 * post/redirect/get with a one-time form token (a reload or a second submission changes nothing;
 * a new secret is shown once, on the page the redirect leads to). Every change goes through the
 * `WritableKeyStore`, so servers reading the same store see it without a restart, and is reported
 * to `onEvent`. Sessions live on the server (random 32-byte ids in an HttpOnly,
 * SameSite=Strict cookie scoped to the mount path, Secure behind TLS) and end when idle, when old,
 * at sign-out and as soon as the operator's key stops working; every page is sent with a strict nonce-based
 * Content-Security-Policy, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` and
 * `Cache-Control: no-store`.
 */
import type { Router } from 'express';
import { createKit } from './internal/kit.js';
import { Refusal } from './internal/refusal.js';
import { installApps } from './internal/routes/apps.js';
import { installServiceAccounts } from './internal/routes/service-accounts.js';
import { installSignIn } from './internal/routes/sign-in.js';
import { readSettings } from './internal/settings.js';
import type { DashboardOptions } from './types.js';

/**
 * Creates the dashboard router. Mount it under a path of its own; it parses its own form bodies
 * and answers every path under its mount (unknown ones with a 404 page).
 *
 * @throws {ConfigurationError} when the store is not a `WritableKeyStore` or an option is out of
 * range (checked here, once).
 * @example
 * ```ts
 * import express from 'express';
 * import { openWritableFileStore } from '@keyscope/core';
 * import { dashboard } from '@keyscope/dashboard';
 *
 * const store = await openWritableFileStore('keys.json');
 * const app = express();
 * app.use('/keyscope', dashboard({ store, onEvent: (event) => console.log(JSON.stringify(event)) }));
 * app.listen(3000);
 * ```
 */
export function dashboard(options: DashboardOptions): Router {
  const kit = createKit(readSettings(options), options.onEvent);
  installSignIn(kit);
  installApps(kit);
  installServiceAccounts(kit);
  kit.router.use(function keyscopeDashboardNotFound(req, res, next) {
    const ex = kit.begin(req, res);
    kit.fail(
      ex,
      new Refusal(404, 'Page not found', 'There is no such page in the dashboard.'),
      next,
    );
  });
  return kit.router;
}
