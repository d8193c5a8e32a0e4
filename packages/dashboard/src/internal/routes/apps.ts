/**
 * The app routes: the list of the apps the operator's key reaches, an app's settings tab (its keys,
 * with the key routes under it), and the test-token tab, which mints a short-lived `appUser` JWT with
 * one of the app's active keys (core's `signToken`) and, in post/redirect/get, shows it and the
 * matching `curl` line once. An app the
 * key does not reach (core's `authorize` at account scope) answers 403, whether it exists or not.
 */
import { signToken } from '@keyscope/core';
import { countActiveKeys } from '@keyscope/core/rules';
import { shellQuote } from '../format.js';
import { html } from '../html.js';
import type { Kit, SignedIn } from '../kit.js';
import { appKeysPage, appsPage, type MintedToken, tokenPage } from '../pages/apps.js';
import { segment } from '../pages/frame.js';
import type { Owner } from '../pages/keys.js';
import { field } from '../request.js';
import { installKeyRoutes } from './keys.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: user ids may not hold control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The app of the request, if the operator's key reaches it (else a 403 `Refusal`). */
async function appOf(ex: SignedIn): Promise<Owner> {
  const appId = String(ex.req.params.appId);
  await ex.reach(appId);
  const path = `${ex.base}/apps/${segment(appId)}`;
  return { type: 'app', id: appId, path, backPath: path };
}

/** Adds the app routes. */
export function installApps(kit: Kit): void {
  const { router, form, store } = kit;
  const lifetimes = kit.settings.tokenLifetimes;

  router.get(
    '/apps',
    kit.signedIn(async (ex) => {
      const { operator } = ex;
      const active = await store.listKeys({ entityType: 'app', state: 'active' });
      const apps = (await ex.apps()).map((id) => ({
        id,
        activeKeys: countActiveKeys(active, id, ex.now),
      }));
      const scope =
        operator.entity.type === 'userAccount'
          ? html`The apps of account <code>${operator.entity.id}</code>: ${apps.length}.`
          : html`The apps granted to service account <code>${operator.entity.id}</code>: ${apps.length}.`;
      kit.send(ex, 200, appsPage(ex.frame, { apps, scope }));
    }),
  );

  router.get(
    '/apps/:appId',
    kit.signedIn(async (ex) => {
      const owner = await appOf(ex);
      const keys = await store.listKeys({ entity: { type: 'app', id: owner.id } });
      const page = appKeysPage(ex.frame, {
        owner,
        keys,
        limit: store.maxActiveKeysPerApp,
        now: ex.now,
        values: ex.flash?.values,
      });
      kit.send(ex, 200, page);
    }),
  );

  installKeyRoutes(kit, '/apps/:appId', { ownerOf: appOf });

  const activeKeys = (appId: string) =>
    store.listKeys({ entity: { type: 'app', id: appId }, state: 'active' });

  async function renderToken(ex: SignedIn, status: number, result?: MintedToken): Promise<void> {
    const owner = await appOf(ex);
    const keys = await activeKeys(owner.id);
    const page = tokenPage(ex.frame, {
      appId: owner.id,
      keys,
      lifetimes,
      values: ex.flash?.values,
      result,
    });
    kit.send(ex, status, page);
  }

  router.get(
    '/apps/:appId/token',
    kit.signedIn((ex) => renderToken(ex, 200)),
  );

  router.get(
    '/apps/:appId/token/:reveal',
    kit.signedIn(async (ex) => {
      const owner = await appOf(ex);
      const reveal = ex.session.reveals.take(String(ex.req.params.reveal), ex.now.getTime());
      if (reveal === undefined || reveal.kind !== 'token' || reveal.appId !== owner.id) {
        const gone =
          'That test token was shown once and is not shown again (a reload, Back or another tab does not show it twice). Mint another one below if you need it.';
        await renderToken({ ...ex, frame: { ...ex.frame, error: gone } }, 410);
        return;
      }
      await renderToken(ex, 200, reveal.token);
    }),
  );

  router.post(
    '/apps/:appId/token',
    form,
    kit.signedIn(
      async (ex) => {
        const owner = await appOf(ex);
        const keys = await activeKeys(owner.id);
        const keyId = field(ex.req, 'keyId') ?? '';
        const userId = field(ex.req, 'userId')?.trim() ?? '';
        const lifetime = Number(field(ex.req, 'lifetime'));
        const tokenPath = `${owner.path}/token`;
        const refuse = (error: string) => {
          const values = {
            keyId: keyId.slice(0, 256),
            userId: userId.slice(0, 256),
            lifetime: String(lifetime),
          };
          kit.flash(ex, { error: `No token was minted: ${error}`, values });
          kit.redirectTo(ex, tokenPath);
        };
        if (userId.length === 0 || userId.length > 256 || CONTROL.test(userId)) {
          refuse('enter the end user id, 1 to 256 characters without control characters.');
          return;
        }
        if (!lifetimes.includes(lifetime)) {
          refuse('choose a lifetime from the list.');
          return;
        }
        const record = keys.some((key) => key.id === keyId)
          ? await store.findKey(keyId)
          : undefined;
        if (record === undefined || record.entity.type !== 'app' || record.entity.id !== owner.id) {
          refuse('choose an active key of this app to sign with.');
          return;
        }
        const token = await signToken({
          key: record,
          scope: 'appUser',
          userId,
          expiresIn: lifetime,
        });
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
        const expiresAt = new Date(Number(payload.exp) * 1000);
        const url = `${kit.apiBase(ex)}/v2/apps/${segment(owner.id)}/users/${segment(userId)}`;
        const curl = `curl -H ${shellQuote(`Authorization: Bearer ${token}`)} ${shellQuote(url)}`;
        kit.emit({
          action: 'token.minted',
          operator: kit.publicOperator(ex.operator),
          keyId: record.id,
          appId: owner.id,
          userId,
        });
        const reveal = ex.session.reveals.put(
          {
            kind: 'token',
            appId: owner.id,
            token: { token, keyId: record.id, userId, expiresAt, curl },
          },
          ex.now.getTime(),
        );
        kit.redirectTo(ex, `${tokenPath}/${reveal}`);
      },
      { post: true },
    ),
  );
}
