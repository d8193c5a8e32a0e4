/**
 * An immutable, indexed copy of a validated keys document: key records by id, apps by account,
 * service accounts with their grants. Records that did not change since the previous snapshot are
 * reused as the same objects, so caches keyed on a record (imported HMAC keys, digests, verified
 * tokens) survive edits to unrelated entries and are dropped for changed ones.
 */
import { sameRecord } from '../rules/records.js';
import type { KeysDocument } from '../stores/keys-document.js';
import type { Entity, KeyRecord } from '../types.js';

export interface Snapshot {
  readonly keys: ReadonlyMap<string, KeyRecord>;
  appsFor(entity: Entity): readonly string[];
  readonly document: KeysDocument;
}

const NONE: readonly string[] = Object.freeze([]);

export function buildSnapshot(document: KeysDocument, previous?: Snapshot): Snapshot {
  const appAccount = new Map<string, string>();
  const appsByAccount = new Map<string, string[]>();
  for (const app of document.apps) {
    appAccount.set(app.id, app.accountId);
    const list = appsByAccount.get(app.accountId);
    if (list) list.push(app.id);
    else appsByAccount.set(app.accountId, [app.id]);
  }
  const services = new Map<string, { accountId: string; appIds: readonly string[] }>();
  for (const svc of document.serviceAccounts ?? []) {
    services.set(svc.id, { accountId: svc.accountId, appIds: Object.freeze([...svc.appIds]) });
  }
  for (const [account, ids] of appsByAccount)
    appsByAccount.set(account, Object.freeze(ids) as string[]);

  const keys = new Map<string, KeyRecord>();
  for (const entry of document.keys) {
    const entity = { type: entry.entity.type, id: entry.entity.id };
    const accountId =
      entity.type === 'app'
        ? appAccount.get(entity.id)
        : entity.type === 'serviceAccount'
          ? services.get(entity.id)?.accountId
          : entity.id;
    const next: KeyRecord = Object.freeze({
      id: entry.id,
      secret: entry.secret,
      entity: Object.freeze(entity),
      accountId,
      displayName: entry.displayName ?? undefined,
      createdAt: instant(entry.createdAt),
      expiresAt: instant(entry.expiresAt),
      revokedAt: instant(entry.revokedAt),
    });
    const old = previous?.keys.get(entry.id);
    keys.set(entry.id, old !== undefined && sameRecord(old, next) ? old : next);
  }

  return {
    keys,
    document,
    appsFor(entity) {
      switch (entity.type) {
        case 'app':
          return appAccount.has(entity.id) ? [entity.id] : NONE;
        case 'userAccount':
          return appsByAccount.get(entity.id) ?? NONE;
        case 'serviceAccount':
          return services.get(entity.id)?.appIds ?? NONE;
        default:
          return NONE;
      }
    },
  };
}

function instant(value: string | null | undefined): Date | undefined {
  return value === undefined || value === null ? undefined : new Date(value);
}
