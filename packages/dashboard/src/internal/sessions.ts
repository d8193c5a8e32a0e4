/**
 * The server-side session map. A session id is 32 random bytes, handed to the browser in a cookie;
 * the map is keyed by its SHA-256 digest, so the ids themselves are not kept. A session ends when it
 * has been idle longer than `idleTimeout`, when it is older than `absoluteTimeout`, at sign-out, or
 * when the operator's key stops working (checked on every request by the router). The map is bounded:
 * expired sessions are swept when one is created, and past `maxSessions` the oldest are dropped.
 */
import { digest, randomToken } from './tokens.js';

/** One signed-in operator. */
export interface Session {
  /** The operator's key id. */
  readonly keyId: string;
  /** SHA-256 of the key's secret at sign-in: a key whose secret changed ends the session. */
  readonly secretDigest: Buffer;
  /** The CSRF token of every form of this session. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeen: number;
  /** A one-time notice for the next page (never a secret). */
  notice?: string | undefined;
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
  const map = new Map<string, Session>();
  const keyOf = (id: string) => digest(id).toString('base64url');
  const expired = (session: Session, now: number) =>
    now - session.lastSeen >= settings.idleTimeout ||
    now - session.createdAt >= settings.absoluteTimeout;

  return {
    create(data, now) {
      for (const [key, session] of map) if (expired(session, now)) map.delete(key);
      while (map.size >= settings.maxSessions) {
        const oldest = map.keys().next().value as string;
        map.delete(oldest);
      }
      const id = randomToken();
      const session: Session = { ...data, csrfToken: randomToken(), createdAt: now, lastSeen: now };
      map.set(keyOf(id), session);
      return { id, session };
    },
    find(id, now) {
      if (id === undefined) return { ended: 'unknown' };
      const key = keyOf(id);
      const session = map.get(key);
      if (session === undefined) return { ended: 'unknown' };
      if (expired(session, now)) {
        map.delete(key);
        return { ended: 'expired' };
      }
      session.lastSeen = now;
      return { session };
    },
    destroy(id) {
      if (id !== undefined) map.delete(keyOf(id));
    },
    get size() {
      return map.size;
    },
  };
}
