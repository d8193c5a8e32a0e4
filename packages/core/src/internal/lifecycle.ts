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
  KeyLimitError,
  KeyNotFoundError,
} from '../lifecycle-errors.js';
import type {
  AppEntry,
  KeyEntry,
  KeysDocument,
  ServiceAccountEntry,
} from '../stores/keys-document.js';
import {
  type CreatedKey,
  type CreateKeyInput,
  type KeyFilter,
  type KeyInfo,
  keyState,
} from '../stores/writable.js';
import type { Entity, EntityType } from '../types.js';
import { quote } from './quote.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A keys document that edits may change in place. */
export interface Draft {
  version: 1;
  apps: AppEntry[];
  serviceAccounts?: Array<Mutable<ServiceAccountEntry> & { appIds: string[] }>;
  keys: Array<Mutable<KeyEntry>>;
}

const ENTITY_TYPES: readonly string[] = ['app', 'userAccount', 'serviceAccount'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: ids may not hold control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A deep, mutable copy of a document. */
export function toDraft(document: KeysDocument): Draft {
  return structuredClone(document) as Draft;
}

/** `value` if it is a valid id (the keys-file rule: 1 to 256 characters, no control character). */
export function checkId(value: unknown, what: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 256 ||
    CONTROL.test(value)
  ) {
    throw new InvalidArgumentError(
      `${what} must be a string of 1 to 256 characters without control characters`,
    );
  }
  return value;
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
  const { displayName, expiresAt } = input;
  if (
    displayName !== undefined &&
    (typeof displayName !== 'string' || displayName.length > 256 || CONTROL.test(displayName))
  ) {
    throw new InvalidArgumentError(
      'displayName must be a string of at most 256 characters without control characters',
    );
  }
  if (expiresAt !== undefined && !(validDate(expiresAt) && expiresAt > rules.now)) {
    throw new InvalidArgumentError('expiresAt must be a valid date in the future');
  }
  if (entity.type === 'app') {
    const active = draft.keys.filter(
      (entry) =>
        entry.entity.type === 'app' &&
        entry.entity.id === entity.id &&
        keyState(keyInfo(entry, draft), rules.now) === 'active',
    ).length;
    if (active >= rules.maxActiveKeysPerApp) {
      throw new KeyLimitError(entity.id, rules.maxActiveKeysPerApp);
    }
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
  if (!validDate(at)) throw new InvalidArgumentError('the revocation instant must be a valid date');
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

function checkEntity(value: unknown): Entity {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError('entity must be an object with a type and an id');
  }
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (typeof type !== 'string' || !ENTITY_TYPES.includes(type)) {
    throw new InvalidArgumentError('entity.type must be "app", "userAccount" or "serviceAccount"');
  }
  return { type: type as EntityType, id: checkId(id, 'entity.id') };
}

function findEntry(draft: Draft, id: string): Mutable<KeyEntry> {
  const entry = typeof id === 'string' ? draft.keys.find((key) => key.id === id) : undefined;
  if (entry === undefined) throw new KeyNotFoundError(String(id));
  return entry;
}

function validDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
