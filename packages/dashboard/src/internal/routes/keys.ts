/**
 * The key routes of an owner (an app, or a service account), under the owner's path: create a key
 * (its secret shown once, on a `no-store` page), rotate one (a replacement with the same name; the
 * old key keeps working until revoked, as with the CLI), and revoke one after a confirmation page.
 * Every change goes through the store and is reported to the audit hook; a refused change (the
 * per-app key limit, a bad name) is explained on the owner's page.
 */
import {
  type CreatedKey,
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  type KeyInfo,
  KeyLimitError,
  keyState,
} from '@keyscope/core';
import { expiryFrom } from '../format.js';
import type { Html } from '../html.js';
import type { Kit, SignedIn } from '../kit.js';
import { limitText } from '../pages/apps.js';
import { segment } from '../pages/frame.js';
import { createdKeyPage, type Owner, revokePage } from '../pages/keys.js';
import { Refusal } from '../refusal.js';
import { field } from '../request.js';

/** How the key routes of one kind of owner find it and explain a refused change. */
export interface KeyRoutesOwner {
  /** The owner the request names, if the operator may act on it (else a `Refusal`). */
  ownerOf(ex: SignedIn): Promise<Owner>;
  /** Renders the owner's page with a refused change explained. */
  renderRefused(ex: SignedIn, owner: Owner, status: number, message: Html | string): Promise<void>;
}

/** Adds the key routes under `prefix` (`/apps/:appId`, `/service-accounts/:serviceAccountId`). */
export function installKeyRoutes(kit: Kit, prefix: string, kind: KeyRoutesOwner): void {
  const { router, form, store } = kit;

  async function keyOf(owner: Owner, keyId: string): Promise<KeyInfo> {
    const keys = await store.listKeys({ entity: { type: owner.type, id: owner.id } });
    const key = keys.find((candidate) => candidate.id === keyId);
    if (key === undefined) {
      throw new Refusal(404, 'No such key', 'This key does not exist or belongs to someone else.');
    }
    return key;
  }

  const ownerEvent = (owner: Owner) =>
    owner.type === 'app' ? { appId: owner.id } : { serviceAccountId: owner.id };

  async function create(ex: SignedIn, owner: Owner, replaces?: KeyInfo): Promise<void> {
    const name =
      (replaces === undefined ? field(ex.req, 'name')?.trim() : replaces.displayName) || undefined;
    const expiresAt =
      replaces === undefined ? expiryFrom(field(ex.req, 'expires'), ex.now) : undefined;
    if (expiresAt === null) {
      await kind.renderRefused(ex, owner, 400, 'Choose an expiry from the list.');
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
      if (error instanceof KeyLimitError) {
        await kind.renderRefused(ex, owner, 409, limitText(error.appId, error.limit));
        return;
      }
      if (
        error instanceof InvalidArgumentError ||
        error instanceof EntityNotFoundError ||
        error instanceof EntityExistsError
      ) {
        await kind.renderRefused(
          ex,
          owner,
          error instanceof InvalidArgumentError ? 400 : 409,
          error.message,
        );
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
    kit.send(
      ex,
      201,
      createdKeyPage(ex.frame, {
        owner,
        key: created.record,
        secret: created.secret,
        tryUrl: owner.type === 'app' ? `${api}/v2/apps/${segment(owner.id)}` : `${api}/v2/apps`,
        replaces,
      }),
    );
  }

  router.post(
    `${prefix}/keys`,
    form,
    kit.signedIn(async (ex) => create(ex, await kind.ownerOf(ex)), { post: true }),
  );

  router.post(
    `${prefix}/keys/:keyId/rotate`,
    form,
    kit.signedIn(
      async (ex) => {
        const owner = await kind.ownerOf(ex);
        const old = await keyOf(owner, String(ex.req.params.keyId));
        if (keyState(old, ex.now) !== 'active') {
          throw new Refusal(409, 'Key not active', 'Only an active key can be rotated.');
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
      kit.send(ex, 200, revokePage(ex.frame, { owner, key, csrfToken: ex.session.csrfToken }));
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
        ex.session.notice = `Key ${revoked.id} is revoked. Servers refuse it within two seconds.`;
        ex.res.redirect(303, owner.backPath);
      },
      { post: true },
    ),
  );
}
