/**
 * The server-side session map. A session id is 32 random bytes, handed to the browser in a cookie;
 * the map is keyed by its SHA-256 digest, so the ids themselves are not kept. A session ends when it
 * has been idle longer than `idleTimeout`, when it is older than `absoluteTimeout`, at sign-out, or
 * when the operator's key stops working (checked on every request by the router). The map is bounded
 * twice, so that sign-ins with one key cannot push other operators out: a key holds at most
 * `maxSessionsPerKey` sessions (its own oldest ends first), and past `maxSessions` in all, expired
 * sessions are swept, then the signing-in key gives up its own oldest session, and only a key that
 * holds none loses one of the key holding the most sessions.
 */

import { createFormTokens, type FormTokens } from './form-tokens.js';
import type { Html } from './html.js';
import { createReveals, type Reveals } from './reveals.js';
import { digest, randomToken } from './tokens.js';

/** What the next page of a session says once: the outcome of the change that led to it. */
export interface Flash {
  /** What was done (role="status"). Never a secret. */
  readonly notice?: Html | string | undefined;
  /** Why a change was refused (role="alert"). */
  readonly error?: Html | string | undefined;
  /** The form values the refused change was sent with (never a secret), to fill the form again. */
  readonly values?: Readonly<Record<string, string>> | undefined;
}

/** One signed-in operator. */
export interface Session {
  /** The operator's key id. */
  readonly keyId: string;
  /** SHA-256 of the key's secret at sign-in: a key whose secret changed ends the session. */
  readonly secretDigest: Buffer;
  /** The one-time tokens of the session's forms (they are its CSRF tokens too). */
  readonly forms: FormTokens;
  /** Secrets waiting for the one page that shows them. */
  readonly reveals: Reveals;
  readonly createdAt: number;
  lastSeen: number;
  /** What the next page says once. */
  flash?: Flash | undefined;
}

/** Why a session cookie did not lead to a session. */
export type SessionLookup =
  | { readonly session: Session; readonly ended?: undefined }
  | { readonly session?: undefined; readonly ended: 'expired' | 'unknown' };

/** Settings of the session map. */
export interface SessionSettings {
  readonly idleTimeout: number;
  readonly absoluteTimeout: number;
  readonly maxSessions: number;
  readonly maxSessionsPerKey: number;
}

/** The session map of one dashboard. */
export interface Sessions {
  /** Starts a session; returns the id for the cookie. */
  create(
    data: Pick<Session, 'keyId' | 'secretDigest'>,
    now: number,
  ): { id: string; session: Session };
  /** The live session of a cookie value, touched; an expired one is removed. */
  find(id: string | undefined, now: number): SessionLookup;
  /** Ends the session of this cookie value. */
  destroy(id: string | undefined): void;
  /** How many sessions are held. */
  readonly size: number;
}

/** Creates an empty session map. */
export function createSessions(settings: SessionSettings): Sessions {
  /** Sessions by the digest of their id, oldest first. */
  const map = new Map<string, Session>();
  /** The digests of each key's sessions, oldest first. */
  const byKey = new Map<string, Set<string>>();
  const digestOf = (id: string) => digest(id).toString('base64url');
  const expired = (session: Session, now: number) =>
    now - session.lastSeen >= settings.idleTimeout ||
    now - session.createdAt >= settings.absoluteTimeout;

  function remove(name: string): void {
    const session = map.get(name);
    if (session === undefined) return;
    map.delete(name);
    const own = byKey.get(session.keyId);
    own?.delete(name);
    if (own?.size === 0) byKey.delete(session.keyId);
  }

  function removeOldestOf(own: Set<string>): void {
    remove(own.values().next().value as string);
  }

  /** The sessions of the key that holds the most (on a tie, the one with the oldest session). */
  function largest(): Set<string> | undefined {
    let found: Set<string> | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const own of byKey.values()) {
      const first = map.get(own.values().next().value as string)?.createdAt ?? 0;
      if (
        found === undefined ||
        own.size > found.size ||
        (own.size === found.size && first < oldest)
      ) {
        found = own;
        oldest = first;
      }
    }
    return found;
  }

  return {
    create(data, now) {
      for (const [name, session] of map) if (expired(session, now)) remove(name);
      let own = byKey.get(data.keyId);
      while (own !== undefined && own.size >= settings.maxSessionsPerKey) removeOldestOf(own);
      while (map.size >= settings.maxSessions) {
        // Another operator's session goes only when this key has none left to give up.
        const victim = own !== undefined && own.size > 0 ? own : largest();
        if (victim === undefined) break;
        removeOldestOf(victim);
      }
      const id = randomToken();
      const session: Session = {
        ...data,
        forms: createFormTokens(),
        reveals: createReveals(),
        createdAt: now,
        lastSeen: now,
      };
      const name = digestOf(id);
      map.set(name, session);
      own = byKey.get(data.keyId);
      if (own === undefined) {
        own = new Set();
        byKey.set(data.keyId, own);
      }
      own.add(name);
      return { id, session };
    },
    find(id, now) {
      if (id === undefined) return { ended: 'unknown' };
      const name = digestOf(id);
      const session = map.get(name);
      if (session === undefined) return { ended: 'unknown' };
      if (expired(session, now)) {
        remove(name);
        return { ended: 'expired' };
      }
      session.lastSeen = now;
      return { session };
    },
    destroy(id) {
      if (id !== undefined) remove(digestOf(id));
    },
    get size() {
      return map.size;
    },
  };
}
