/**
 * How the CLI shows things: the JSON shape of a key (never its secret), instants, entities, and
 * the table of `keys list`. Text that came from a keys file is made safe for a terminal: control
 * characters are shown as escapes, never written raw.
 */
import { type Entity, type KeyInfo, keyState } from '@keyscope/core';

/**
 * A key in `--json` output. Never holds the secret.
 *
 * @example
 * ```json
 * { "id": "app_65f0c1d2e3f4a5b6c7d8e9f0", "entity": { "type": "app", "id": "app_a" },
 *   "accountId": "acc_1", "name": "CI", "createdAt": "2030-01-01T00:00:00.000Z",
 *   "expiresAt": null, "revokedAt": null, "state": "active" }
 * ```
 */
export interface KeyJson {
  readonly id: string;
  readonly entity: { readonly type: string; readonly id: string };
  readonly accountId: string | null;
  readonly name: string | null;
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly state: 'active' | 'revoked' | 'expired';
}

/** The `--json` form of a key. */
export function keyJson(key: KeyInfo, now: Date): KeyJson {
  return {
    id: key.id,
    entity: { type: key.entity.type, id: key.entity.id },
    accountId: key.accountId ?? null,
    name: key.displayName ?? null,
    createdAt: key.createdAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    state: keyState(key, now),
  };
}

/** Text from a keys file, with control characters escaped. */
export function safe(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An instant for people: ISO-8601 to the second, UTC. */
export function instant(date: Date | undefined): string {
  return date === undefined ? '-' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const KIND: Record<string, string> = {
  app: 'app',
  userAccount: 'account',
  serviceAccount: 'service-account',
};

/** An entity for people: `app app_a`, `account acc_1`, `service-account svc_1`. */
export function entityText(entity: Entity): string {
  return `${KIND[entity.type] ?? entity.type} ${safe(entity.id)}`;
}

/** The STATE column: `active`, `revoked`, `expired`, or `active (revoked from <instant>)`. */
export function stateText(key: KeyInfo, now: Date): string {
  const state = keyState(key, now);
  return state === 'active' && key.revokedAt !== undefined
    ? `active (revoked from ${instant(key.revokedAt)})`
    : state;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}
