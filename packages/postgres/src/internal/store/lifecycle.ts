/**
 * The key lifecycle of the PostgreSQL store: creating, revoking, deleting and listing keys, adding
 * apps and service accounts, granting apps. Each write is one transaction that checks its
 * arguments with core's rules (`@keyscope/core/rules`), changes the rows, and `NOTIFY`s the
 * changed key or entity id (sent by PostgreSQL only once the transaction commits); after the
 * commit the writing instance drops the id from its own cache at once. The per-app limit of active
 * keys is enforced by the database itself (see `Queries.insertKey`), so creations racing from
 * several instances never exceed it; core's `checkKeyLimit` turns its count into the refusal.
 */
import {
  type CreatedKey,
  type CreateKeyInput,
  EntityExistsError,
  EntityNotFoundError,
  generateKey,
  InvalidArgumentError,
  type KeyFilter,
  type KeyInfo,
  KeyNotFoundError,
  type WritableKeyStore,
} from '@keyscope/core';
import {
  checkDisplayName,
  checkEntity,
  checkExpiresAt,
  checkId,
  checkKeyLimit,
  checkRevocationInstant,
  isId,
  keyState,
  quote,
} from '@keyscope/core/rules';
import type pg from 'pg';
import type { MasterKey } from '../../master-keys.js';
import { toStoreError } from '../connection.js';
import { sealSecret } from '../crypto.js';
import { type Db, type KeyRow, type Queries, toKeyInfo } from './queries.js';
import { inTransaction } from './transaction.js';

/** The writing operations of `WritableKeyStore`, and `listKeys`. */
export type KeyLifecycle = Pick<
  WritableKeyStore,
  | 'createKey'
  | 'revokeKey'
  | 'deleteKey'
  | 'listKeys'
  | 'addApp'
  | 'createServiceAccount'
  | 'grantApp'
>;

/** What {@link createKeyLifecycle} works with. */
export interface KeyLifecycleContext {
  readonly pool: pg.Pool;
  readonly queries: Queries;
  /** New secrets are sealed under this master key. */
  readonly masterKey: MasterKey;
  readonly maxActiveKeysPerApp: number;
  /** Called after a commit with each changed key or entity id. */
  readonly changed: (id: string) => void;
  /** Called after a commit with a deleted key's id. */
  readonly deleted: (id: string) => void;
}

/** The lifecycle operations over `pool`. */
export function createKeyLifecycle(context: KeyLifecycleContext): KeyLifecycle {
  const { pool, queries, masterKey, maxActiveKeysPerApp, changed, deleted } = context;

  /** The id of a key to act on; anything no key id can be is a key not found. */
  function keyId(id: unknown): string {
    // Not a string, or text no key id can be (a NUL byte would even make PostgreSQL fail).
    if (!isId(id)) throw new KeyNotFoundError(String(id));
    return id;
  }

  async function lockedKey(db: Db, id: string): Promise<KeyRow> {
    const row = await queries.lockKey(db, id);
    if (row === undefined) throw new KeyNotFoundError(id);
    return row;
  }

  /**
   * Checks that the key's owner exists and returns its account (`null` for a user account, which
   * has no row); an app's row stays locked so the per-app limit holds.
   */
  async function lockOwner(db: Db, entity: CreateKeyInput['entity']): Promise<string | null> {
    if (entity.type === 'userAccount') return null;
    const accountId = await queries.lockOwner(db, { type: entity.type, id: entity.id });
    if (accountId === undefined) throw new EntityNotFoundError(entity);
    return accountId;
  }

  async function createKey(input: CreateKeyInput): Promise<CreatedKey> {
    if (typeof input !== 'object' || input === null) {
      throw new InvalidArgumentError('createKey needs an object with an entity');
    }
    const entity = checkEntity(input.entity);
    const created = await inTransaction(pool, 'create a key', async (db) => {
      const accountId = await lockOwner(db, entity);
      const now = new Date();
      const displayName = checkDisplayName(input.displayName);
      const expiresAt = checkExpiresAt(input.expiresAt, now);
      const limit = entity.type === 'app' ? maxActiveKeysPerApp : undefined;
      for (;;) {
        const generated = generateKey(entity.type);
        const sealed = sealSecret(generated.secret, { keyId: generated.id, entity }, masterKey);
        const outcome = await queries.insertKey(
          db,
          { id: generated.id, entity, displayName, createdAt: now, expiresAt, sealed },
          limit,
        );
        if (!outcome.inserted) {
          // Refused at the limit; below it, the generated id was taken: draw another.
          if (limit !== undefined) checkKeyLimit(entity.id, outcome.active ?? 0, limit);
          continue;
        }
        await queries.notify(db, generated.id);
        const record: KeyInfo = toKeyInfo({
          id: generated.id,
          entity_type: entity.type,
          entity_id: entity.id,
          account_id: accountId,
          display_name: displayName ?? null,
          created_at: now,
          expires_at: expiresAt ?? null,
          revoked_at: null,
        });
        return { record, secret: generated.secret };
      }
    });
    changed(created.record.id);
    return created;
  }

  async function revokeKey(id: string, at?: Date): Promise<KeyInfo> {
    const wanted = keyId(id);
    const info = await inTransaction(pool, 'revoke a key', async (db) => {
      const row = await lockedKey(db, wanted);
      const when = checkRevocationInstant(at ?? new Date());
      // Never postponed: a key already revoked at or before `when` stays as it is.
      if (row.revoked_at !== null && row.revoked_at.getTime() <= when.getTime()) {
        return toKeyInfo(row);
      }
      await queries.setRevokedAt(db, wanted, when);
      await queries.notify(db, wanted);
      return toKeyInfo({ ...row, revoked_at: when });
    });
    changed(wanted);
    return info;
  }

  async function deleteKey(id: string): Promise<KeyInfo> {
    const wanted = keyId(id);
    const info = await inTransaction(pool, 'delete a key', async (db) => {
      const row = await lockedKey(db, wanted);
      await queries.deleteKey(db, wanted);
      await queries.notify(db, wanted);
      return toKeyInfo(row);
    });
    deleted(wanted);
    return info;
  }

  async function listKeys(filter: KeyFilter = {}): Promise<readonly KeyInfo[]> {
    const { entity, entityType, state } = filter ?? {};
    if (entity !== undefined && !isId(entity?.id)) return [];
    let rows: readonly KeyRow[];
    try {
      rows = await queries.listKeys(pool, { entity, entityType });
    } catch (error) {
      throw toStoreError(error, 'list keys');
    }
    const now = new Date();
    return rows
      .map(toKeyInfo)
      .filter((info) => state === undefined || keyState(info, now) === state);
  }

  async function addApp(app: { readonly id: string; readonly accountId: string }) {
    const id = checkId(app?.id, 'the app id');
    const accountId = checkId(app.accountId, 'the account id');
    await inTransaction(pool, 'add an app', async (db) => {
      if (!(await queries.insertApp(db, id, accountId))) {
        throw new EntityExistsError({ type: 'app', id });
      }
      await queries.notify(db, id);
      await queries.notify(db, accountId);
    });
    changed(id);
    changed(accountId);
    return { id, accountId };
  }

  async function createServiceAccount(serviceAccount: {
    readonly id: string;
    readonly accountId: string;
  }) {
    const id = checkId(serviceAccount?.id, 'the service account id');
    const accountId = checkId(serviceAccount.accountId, 'the account id');
    await inTransaction(pool, 'create a service account', async (db) => {
      if (!(await queries.insertServiceAccount(db, id, accountId))) {
        throw new EntityExistsError({ type: 'serviceAccount', id });
      }
      await queries.notify(db, id);
    });
    changed(id);
    return { id, accountId, appIds: [] };
  }

  async function grantApp(serviceAccountId: string, appId: string) {
    const svcId = checkId(serviceAccountId, 'the service account id');
    checkId(appId, 'the app id');
    const entry = await inTransaction(pool, 'grant an app', async (db) => {
      const svcAccount = await queries.lockServiceAccountForGrant(db, svcId);
      if (svcAccount === undefined) {
        throw new EntityNotFoundError({ type: 'serviceAccount', id: svcId });
      }
      const appAccount = await queries.appAccount(db, appId);
      if (appAccount === undefined) throw new EntityNotFoundError({ type: 'app', id: appId });
      if (appAccount !== svcAccount) {
        throw new InvalidArgumentError(
          `app ${quote(appId)} belongs to account ${quote(appAccount)}, not to ${quote(svcAccount)} of service account ${quote(svcId)}`,
        );
      }
      if (await queries.insertGrant(db, svcId, appId, svcAccount)) {
        await queries.notify(db, svcId);
      }
      const appIds = await queries.grantedAppIds(db, svcId);
      return { id: svcId, accountId: svcAccount, appIds };
    });
    changed(svcId);
    return entry;
  }

  return {
    createKey,
    revokeKey,
    deleteKey,
    listKeys,
    addApp,
    createServiceAccount,
    grantApp,
  };
}
