/**
 * The rules of the key lifecycle applied to a keys document, as pure edits of a mutable copy:
 * creating a key (with the per-app limit), revoking, deleting, listing, adding apps and service
 * accounts, granting apps. A writable store wraps these in its own transaction (the file store: a
 * lock and a read-modify-write); keeping the rules here keeps every store's behaviour the same.
 */
import { generateKey } from '../generate-key.js';
import {
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  KeyNotFoundError,
} from '../lifecycle-errors.js';
import { checkDisplayName, checkExpiresAt, checkRevocationInstant } from '../rules/arguments.js';
import { checkEntity, checkId } from '../rules/identifiers.js';
import { checkKeyLimit, countActiveKeys, keyState } from '../rules/key-state.js';
import { quote } from '../rules/quote.js';
import type {
  AppEntry,
  KeyEntry,
  KeysDocument,
  ServiceAccountEntry,
} from '../stores/keys-document.js';
import type { CreatedKey, CreateKeyInput, KeyFilter, KeyInfo } from '../stores/writable.js';
import type { Entity } from '../types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A keys document that edits may change in place. */
export interface Draft {
  version: 1;
  apps: AppEntry[];
  serviceAccounts?: Array<Mutable<ServiceAccountEntry> & { appIds: string[] }>;
  keys: Array<Mutable<KeyEntry>>;
}

/** A deep, mutable copy of a document. */
export function toDraft(document: KeysDocument): Draft {
  return structuredClone(document) as Draft;
}

/** The key's record without its secret, with its account. */
export function keyInfo(entry: KeyEntry, document: KeysDocument): KeyInfo {
  const entity = { type: entry.entity.type, id: entry.entity.id };
  const accountId =
    entity.type === 'app'
      ? document.apps.find((app) => app.id === entity.id)?.accountId
      : entity.type === 'serviceAccount'
        ? document.serviceAccounts?.find((svc) => svc.id === entity.id)?.accountId
        : entity.id;
  const info: Mutable<KeyInfo> = { id: entry.id, entity, accountId };
  if (typeof entry.displayName === 'string') info.displayName = entry.displayName;
  if (typeof entry.createdAt === 'string') info.createdAt = new Date(entry.createdAt);
  if (typeof entry.expiresAt === 'string') info.expiresAt = new Date(entry.expiresAt);
  if (typeof entry.revokedAt === 'string') info.revokedAt = new Date(entry.revokedAt);
  return info;
}

/** The keys matching `filter` at `now`, in document order. */
export function listKeys(document: KeysDocument, filter: KeyFilter, now: Date): KeyInfo[] {
  return document.keys
    .filter(
      (entry) =>
        (filter.entity === undefined ||
          (entry.entity.type === filter.entity.type && entry.entity.id === filter.entity.id)) &&
        (filter.entityType === undefined || entry.entity.type === filter.entityType),
    )
    .map((entry) => keyInfo(entry, document))
    .filter((info) => filter.state === undefined || keyState(info, now) === filter.state);
}

/** Options of {@link createKey}. */
export interface CreateKeyRules {
  readonly maxActiveKeysPerApp: number;
  readonly now: Date;
}

/** Adds a new key to the draft and returns it with its secret. */
export function createKey(draft: Draft, input: CreateKeyInput, rules: CreateKeyRules): CreatedKey {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError('createKey needs an object with an entity');
  }
  const entity = checkEntity(input.entity);
  if (entity.type === 'app' && !draft.apps.some((app) => app.id === entity.id)) {
    throw new EntityNotFoundError(entity);
  }
  if (
    entity.type === 'serviceAccount' &&
    !(draft.serviceAccounts ?? []).some((svc) => svc.id === entity.id)
  ) {
    throw new EntityNotFoundError(entity);
  }
  const displayName = checkDisplayName(input.displayName);
  const expiresAt = checkExpiresAt(input.expiresAt, rules.now);
  if (entity.type === 'app') {
    const active = countActiveKeys(draft.keys.map(instants), entity.id, rules.now);
    checkKeyLimit(entity.id, active, rules.maxActiveKeysPerApp);
  }
  const taken = new Set(draft.keys.map((entry) => entry.id));
  let generated = generateKey(entity.type);
  while (taken.has(generated.id)) generated = generateKey(entity.type);
  const entry: Mutable<KeyEntry> = {
    id: generated.id,
    secret: generated.secret,
    entity,
    ...(displayName === undefined ? {} : { displayName }),
    createdAt: rules.now.toISOString(),
    ...(expiresAt === undefined ? {} : { expiresAt: expiresAt.toISOString() }),
  };
  draft.keys.push(entry);
  return { record: keyInfo(entry, draft), secret: generated.secret };
}

/** Sets `revokedAt` (unless the key was already revoked at or before `at`). */
export function revokeKey(draft: Draft, id: string, at: Date): KeyInfo {
  const entry = findEntry(draft, id);
  checkRevocationInstant(at);
  const current = typeof entry.revokedAt === 'string' ? Date.parse(entry.revokedAt) : undefined;
  if (current === undefined || current > at.getTime()) entry.revokedAt = at.toISOString();
  return keyInfo(entry, draft);
}

/** Removes a key and returns what it was. */
export function deleteKey(draft: Draft, id: string): KeyInfo {
  const entry = findEntry(draft, id);
  const info = keyInfo(entry, draft);
  draft.keys.splice(draft.keys.indexOf(entry), 1);
  return info;
}

/** Adds an app to an account. */
export function addApp(draft: Draft, app: { id: string; accountId: string }): AppEntry {
  const id = checkId(app?.id, 'the app id');
  const accountId = checkId(app.accountId, 'the account id');
  if (draft.apps.some((existing) => existing.id === id)) {
    throw new EntityExistsError({ type: 'app', id });
  }
  draft.apps.push({ id, accountId });
  return { id, accountId };
}

/** Adds a service account, with no app granted. */
export function createServiceAccount(
  draft: Draft,
  serviceAccount: { id: string; accountId: string },
): ServiceAccountEntry {
  const id = checkId(serviceAccount?.id, 'the service account id');
  const accountId = checkId(serviceAccount.accountId, 'the account id');
  draft.serviceAccounts ??= [];
  if (draft.serviceAccounts.some((existing) => existing.id === id)) {
    throw new EntityExistsError({ type: 'serviceAccount', id });
  }
  draft.serviceAccounts.push({ id, accountId, appIds: [] });
  return { id, accountId, appIds: [] };
}

/** Grants an app of the same account to a service account (no change when already granted). */
export function grantApp(
  draft: Draft,
  serviceAccountId: string,
  appId: string,
): ServiceAccountEntry {
  const svcId = checkId(serviceAccountId, 'the service account id');
  checkId(appId, 'the app id');
  const svc = draft.serviceAccounts?.find((existing) => existing.id === svcId);
  if (svc === undefined) throw new EntityNotFoundError({ type: 'serviceAccount', id: svcId });
  const app = draft.apps.find((existing) => existing.id === appId);
  if (app === undefined) throw new EntityNotFoundError({ type: 'app', id: appId });
  if (app.accountId !== svc.accountId) {
    throw new InvalidArgumentError(
      `app ${quote(appId)} belongs to account ${quote(app.accountId)}, not to ${quote(svc.accountId)} of service account ${quote(svcId)}`,
    );
  }
  if (!svc.appIds.includes(appId)) svc.appIds.push(appId);
  return { id: svc.id, accountId: svc.accountId, appIds: [...svc.appIds] };
}

function findEntry(draft: Draft, id: string): Mutable<KeyEntry> {
  const entry = typeof id === 'string' ? draft.keys.find((key) => key.id === id) : undefined;
  if (entry === undefined) throw new KeyNotFoundError(String(id));
  return entry;
}

/** An entry's entity and instants, as the key-state rules read them. */
function instants(entry: KeyEntry): { entity: Entity; expiresAt?: Date; revokedAt?: Date } {
  return {
    entity: entry.entity,
    expiresAt: typeof entry.expiresAt === 'string' ? new Date(entry.expiresAt) : undefined,
    revokedAt: typeof entry.revokedAt === 'string' ? new Date(entry.revokedAt) : undefined,
  };
}
