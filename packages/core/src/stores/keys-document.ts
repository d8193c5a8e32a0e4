/**
 * The keys file of the contract (format version 1): its types, and a strict validator that refuses
 * a document whole with a message naming the offending entry. Messages name ids and fields, never
 * a secret.
 */
import { KeysFileError } from '../errors.js';
import { MAX_DISPLAY_NAME_LENGTH } from '../rules/arguments.js';
import { isEntityType, isId, MAX_ID_LENGTH } from '../rules/identifiers.js';
import type { EntityType } from '../types.js';

/** An app and the account that owns it. */
export interface AppEntry {
  readonly id: string;
  readonly accountId: string;
}

/** A service account: it belongs to an account and reaches only the apps it was granted. */
export interface ServiceAccountEntry {
  readonly id: string;
  readonly accountId: string;
  readonly appIds: readonly string[];
}

/** An API key as written in the keys file. Instants are ISO-8601 strings with a time zone. */
export interface KeyEntry {
  readonly id: string;
  readonly secret: string;
  readonly entity: { readonly type: EntityType; readonly id: string };
  readonly displayName?: string | null | undefined;
  readonly createdAt?: string | null | undefined;
  readonly expiresAt?: string | null | undefined;
  readonly revokedAt?: string | null | undefined;
}

/**
 * The whole keys file.
 *
 * @example
 * ```ts
 * const doc: KeysDocument = {
 *   version: 1,
 *   apps: [{ id: 'app_a', accountId: 'acc_1' }],
 *   serviceAccounts: [],
 *   keys: [{ id: 'app_1', secret: 'demo-only', entity: { type: 'app', id: 'app_a' } }],
 * };
 * ```
 */
export interface KeysDocument {
  readonly version: 1;
  readonly apps: readonly AppEntry[];
  readonly serviceAccounts?: readonly ServiceAccountEntry[] | undefined;
  readonly keys: readonly KeyEntry[];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Checks that `value` is a valid keys document and returns it typed. The whole document is
 * refused on the first problem, with a message naming the entry (`keys[2] ("app_x")`) and the field.
 *
 * @param source - named at the start of the message (a file path, say)
 * @throws {KeysFileError} when the document does not match the format
 * @example
 * ```ts
 * const doc = validateKeysDocument(JSON.parse(text), 'keys.json');
 * ```
 */
export function validateKeysDocument(value: unknown, source = 'keys document'): KeysDocument {
  const fail = (where: string, problem: string): never => {
    throw new KeysFileError(`${source}: ${where}: ${problem}`);
  };
  const root = record(value, 'the document', fail);
  only(root, ['version', 'apps', 'serviceAccounts', 'keys'], 'the document', fail);
  if (root.version !== 1) fail('version', 'must be 1');
  const apps = list(root.apps, 'apps', fail, false);
  const serviceAccounts = list(root.serviceAccounts, 'serviceAccounts', fail, true);
  const keys = list(root.keys, 'keys', fail, false);

  const appAccount = new Map<string, string>();
  apps.forEach((raw, i) => {
    const where = label('apps', i, raw);
    const app = record(raw, where, fail);
    only(app, ['id', 'accountId'], where, fail);
    const id = identifier(app.id, where, 'id', fail);
    if (appAccount.has(id)) fail(where, 'duplicate app id');
    appAccount.set(id, identifier(app.accountId, where, 'accountId', fail));
  });

  const serviceAccountIds = new Set<string>();
  serviceAccounts.forEach((raw, i) => {
    const where = label('serviceAccounts', i, raw);
    const svc = record(raw, where, fail);
    only(svc, ['id', 'accountId', 'appIds'], where, fail);
    const id = identifier(svc.id, where, 'id', fail);
    if (serviceAccountIds.has(id)) fail(where, 'duplicate service account id');
    serviceAccountIds.add(id);
    const accountId = identifier(svc.accountId, where, 'accountId', fail);
    const granted = list(svc.appIds, `${where}.appIds`, fail, false);
    const seen = new Set<string>();
    for (const appId of granted) {
      const grantedId = identifier(appId, where, 'appIds[]', fail);
      const owner = appAccount.get(grantedId);
      if (owner === undefined) fail(where, `app "${grantedId}" is not in apps`);
      if (owner !== accountId) fail(where, `app "${grantedId}" belongs to another account`);
      if (seen.has(grantedId)) fail(where, `app "${grantedId}" is granted twice`);
      seen.add(grantedId);
    }
  });

  const keyIds = new Set<string>();
  keys.forEach((raw, i) => {
    const where = label('keys', i, raw);
    const key = record(raw, where, fail);
    only(
      key,
      ['id', 'secret', 'entity', 'displayName', 'createdAt', 'expiresAt', 'revokedAt'],
      where,
      fail,
    );
    const id = identifier(key.id, where, 'id', fail);
    if (id.includes(':')) fail(where, 'id may not contain ":"');
    if (keyIds.has(id)) fail(where, 'duplicate key id');
    keyIds.add(id);
    if (typeof key.secret !== 'string' || key.secret.length === 0) {
      fail(where, 'secret must be a non-empty string');
    }
    const entity = record(key.entity, `${where}.entity`, fail);
    only(entity, ['type', 'id'], `${where}.entity`, fail);
    if (!isEntityType(entity.type)) {
      fail(where, 'entity.type must be "app", "userAccount" or "serviceAccount"');
    }
    const entityId = identifier(entity.id, where, 'entity.id', fail);
    if (entity.type === 'app' && !appAccount.has(entityId)) {
      fail(where, `entity app "${entityId}" is not in apps`);
    }
    if (entity.type === 'serviceAccount' && !serviceAccountIds.has(entityId)) {
      fail(where, `entity service account "${entityId}" is not in serviceAccounts`);
    }
    if (key.displayName !== undefined && key.displayName !== null) {
      // Longer names are refused, control characters are not: the file format predates that rule
      // of the lifecycle, and a file written by hand keeps loading.
      if (typeof key.displayName !== 'string' || key.displayName.length > MAX_DISPLAY_NAME_LENGTH) {
        fail(
          where,
          `displayName must be a string of at most ${MAX_DISPLAY_NAME_LENGTH} characters`,
        );
      }
    }
    for (const field of ['createdAt', 'expiresAt', 'revokedAt'] as const) {
      const instant = key[field];
      if (instant === undefined || instant === null) continue;
      if (
        typeof instant !== 'string' ||
        !INSTANT.test(instant) ||
        Number.isNaN(Date.parse(instant))
      ) {
        fail(where, `${field} must be an ISO-8601 instant with a time zone, or null`);
      }
    }
  });
  return value as KeysDocument;
}

type Fail = (where: string, problem: string) => never;
type Obj = Record<string, unknown>;

function record(value: unknown, where: string, fail: Fail): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, 'must be an object');
  }
  return value as Obj;
}

function list(value: unknown, where: string, fail: Fail, optional: boolean): unknown[] {
  if (value === undefined && optional) return [];
  if (!Array.isArray(value)) return fail(where, 'must be an array');
  return value;
}

function only(value: Obj, allowed: readonly string[], where: string, fail: Fail): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) fail(where, `unknown field "${printable(name)}"`);
  }
}

function identifier(value: unknown, where: string, field: string, fail: Fail): string {
  if (!isId(value)) {
    return fail(
      where,
      `${field} must be a string of 1 to ${MAX_ID_LENGTH} characters without control characters`,
    );
  }
  return value;
}

function label(section: string, index: number, raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as Obj).id : undefined;
  return typeof id === 'string'
    ? `${section}[${index}] ("${printable(id)}")`
    : `${section}[${index}]`;
}

function printable(text: string): string {
  return JSON.stringify(text.slice(0, 64))
    .slice(1, -1)
    .replace(/\p{Cc}/gu, '?');
}
