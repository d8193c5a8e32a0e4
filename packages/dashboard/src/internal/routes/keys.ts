/**
 * The key routes of an owner (an app, or a service account), under the owner's path, all in
 * post/redirect/get: creating a key or rotating one (a replacement with the same name; the old key
 * keeps working until revoked, as with the CLI) answers 303 to a page that shows the new secret
 * once (a one-time reveal: a reload, Back or a second tab finds it gone and says so), and revoking
 * one, after a confirmation page, answers 303 to the owner's keys. A refused change (the per-app
 * key limit, a bad name) answers 303 to the owner's page, which explains it once. Every change goes
 * through the store and is reported to the audit hook; the form's one-time token (spent by the kit
 * before the route runs) makes a repeated submission change nothing.
 */
import {
  type CreatedKey,
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  type KeyInfo,
  KeyLimitError,
} from '@keyscope/core';
import { keyState } from '@keyscope/core/rules';
import { expiryFrom } from '../format.js';
import type { Kit, SignedIn } from '../kit.js';
import { limitText } from '../pages/apps.js';
import { segment } from '../pages/frame.js';
import { createdKeyPage, type Owner, revokePage, secretGonePage } from '../pages/keys.js';
import { Refusal } from '../refusal.js';
import { field } from '../request.js';

/** How the key routes of one kind of owner find it. */
export interface KeyRoutesOwner {
  /** The owner the request names, if the operator may act on it (else a `Refusal`). */
  ownerOf(ex: SignedIn): Promise<Owner>;
}

/** Adds the key routes under `prefix` (`/apps/:appId`, `/service-accounts/:serviceAccountId`). */
export function installKeyRoutes(kit: Kit, prefix: string, kind: KeyRoutesOwner): void {
  const { router, form, store } = kit;

  async function keyOf(owner: Owner, keyId: string): Promise<KeyInfo> {
    const keys = await store.listKeys({ entity: { type: owner.type, id: owner.id } });
    const key = keys.find((candidate) => candidate.id === keyId);
    if (key === undefined) {
      throw new Refusal(404, 'No such key', 'This key does not exist or belongs to someone else.', {
        href: owner.backPath,
        label: 'Back to the keys',
        absolute: true,
      });
    }
    return key;
  }

  const ownerEvent = (owner: Owner) =>
    owner.type === 'app' ? { appId: owner.id } : { serviceAccountId: owner.id };

  /** Back to the owner's page, which says once why the change was refused. */
  function refused(ex: SignedIn, owner: Owner, error: Parameters<Kit['flash']>[1]['error']) {
    const values: Record<string, string> = {};
    for (const name of ['name', 'expires']) {
      const value = field(ex.req, name);
      if (value !== undefined) values[name] = value.slice(0, 256);
    }
    kit.flash(ex, { error, values });
    kit.redirectTo(ex, owner.backPath);
  }

  async function create(ex: SignedIn, owner: Owner, replaces?: KeyInfo): Promise<void> {
    const name =
      (replaces === undefined ? field(ex.req, 'name')?.trim() : replaces.displayName) || undefined;
    const expiresAt =
      replaces === undefined ? expiryFrom(field(ex.req, 'expires'), ex.now) : undefined;
    if (expiresAt === null) {
      refused(ex, owner, 'No key was created: choose an expiry from the list.');
      return;
    }
    let created: CreatedKey;
    try {
      created = await store.createKey({
        entity: { type: owner.type, id: owner.id },
        displayName: name,
        expiresAt,
      });
    } catch (error) {
      const what = replaces === undefined ? 'No key was created' : 'The key was not rotated';
      if (error instanceof KeyLimitError) {
        refused(ex, owner, limitText(error.appId, error.limit));
        return;
      }
      if (
        error instanceof InvalidArgumentError ||
        error instanceof EntityNotFoundError ||
        error instanceof EntityExistsError
      ) {
        refused(ex, owner, `${what}: ${error.message}`);
        return;
      }
      throw error;
    }
    kit.emit({
      action: replaces === undefined ? 'key.created' : 'key.rotated',
      operator: kit.publicOperator(ex.operator),
      keyId: created.record.id,
      replacedKeyId: replaces?.id,
      ...ownerEvent(owner),
    });
    const api = kit.apiBase(ex);
    const reveal = ex.session.reveals.put(
      {
        kind: 'key',
        owner,
        key: created.record,
        secret: created.secret,
        tryUrl: owner.type === 'app' ? `${api}/v2/apps/${segment(owner.id)}` : `${api}/v2/apps`,
        replaces,
      },
      ex.now.getTime(),
    );
    kit.redirectTo(ex, `${owner.path}/keys/${segment(created.record.id)}/secret/${reveal}`);
  }

  router.post(
    `${prefix}/keys`,
    form,
    kit.signedIn(async (ex) => create(ex, await kind.ownerOf(ex)), { post: true }),
  );

  router.get(
    `${prefix}/keys/:keyId/secret/:reveal`,
    kit.signedIn(async (ex) => {
      const owner = await kind.ownerOf(ex);
      const keyId = String(ex.req.params.keyId);
      const reveal = ex.session.reveals.take(String(ex.req.params.reveal), ex.now.getTime());
      if (
        reveal === undefined ||
        reveal.kind !== 'key' ||
        reveal.key.id !== keyId ||
        reveal.owner.path !== owner.path
      ) {
        kit.send(ex, 410, secretGonePage(ex.frame, { owner, keyId }));
        return;
      }
      kit.send(ex, 200, createdKeyPage(ex.frame, reveal));
    }),
  );

  router.post(
    `${prefix}/keys/:keyId/rotate`,
    form,
    kit.signedIn(
      async (ex) => {
        const owner = await kind.ownerOf(ex);
        const old = await keyOf(owner, String(ex.req.params.keyId));
        if (keyState(old, ex.now) !== 'active') {
          refused(ex, owner, `Key ${old.id} was not rotated: only an active key can be rotated.`);
          return;
        }
        await create(ex, owner, old);
      },
      { post: true },
    ),
  );

  router.get(
    `${prefix}/keys/:keyId/revoke`,
    kit.signedIn(async (ex) => {
      const owner = await kind.ownerOf(ex);
      const key = await keyOf(owner, String(ex.req.params.keyId));
      kit.send(ex, 200, revokePage(ex.frame, { owner, key }));
    }),
  );

  router.post(
    `${prefix}/keys/:keyId/revoke`,
    form,
    kit.signedIn(
      async (ex) => {
        const owner = await kind.ownerOf(ex);
        const key = await keyOf(owner, String(ex.req.params.keyId));
        const revoked = await store.revokeKey(key.id, ex.now);
        kit.emit({
          action: 'key.revoked',
          operator: kit.publicOperator(ex.operator),
          keyId: revoked.id,
          ...ownerEvent(owner),
        });
        kit.flash(ex, {
          notice: `Key ${revoked.id} is revoked. Servers refuse it within two seconds.`,
        });
        kit.redirectTo(ex, owner.backPath);
      },
      { post: true },
    ),
  );
}
