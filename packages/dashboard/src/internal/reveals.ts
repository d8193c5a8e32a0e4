/**
 * One-time reveals, one set per session: a change that makes a secret (a new or rotated key, a
 * minted test token) answers with a redirect, and the secret waits here for the one page the
 * redirect leads to. Taking it removes it, so a reload, Back, or the same address in a second tab
 * finds nothing and says so; only the session that made the secret can take it. A reveal nobody
 * takes is dropped after `REVEAL_TTL` ms, with the session, or past `MAX_REVEALS` (oldest first).
 */
import type { KeyInfo } from '@keyscope/core';
import type { MintedToken } from './pages/apps.js';
import type { Owner } from './pages/keys.js';
import { randomToken } from './tokens.js';

/** How long an untaken reveal is kept, in ms (10 minutes). */
export const REVEAL_TTL = 10 * 60_000;
/** The most reveals a session holds. */
export const MAX_REVEALS = 8;

/** A new key and its secret. */
export interface KeyReveal {
  readonly kind: 'key';
  readonly owner: Owner;
  readonly key: KeyInfo;
  readonly secret: string;
  /** The URL of the `curl` line. */
  readonly tryUrl: string;
  /** The key it replaces (rotation). */
  readonly replaces?: KeyInfo | undefined;
}

/** A minted test token. */
export interface TokenReveal {
  readonly kind: 'token';
  readonly appId: string;
  readonly token: MintedToken;
}

/** Something shown once. */
export type Reveal = KeyReveal | TokenReveal;

/** The reveals of one session. */
export interface Reveals {
  /** Keeps a reveal; returns its id (random, for the URL of the page that shows it). */
  put(reveal: Reveal, now: number): string;
  /** Takes the reveal `id` out, if it is here and fresh. */
  take(id: string, now: number): Reveal | undefined;
}

/** Creates the empty reveal set of a session. */
export function createReveals(): Reveals {
  const entries = new Map<string, { readonly reveal: Reveal; readonly until: number }>();
  return {
    put(reveal, now) {
      for (const [id, entry] of entries) if (entry.until <= now) entries.delete(id);
      while (entries.size >= MAX_REVEALS) entries.delete(entries.keys().next().value as string);
      const id = randomToken();
      entries.set(id, { reveal, until: now + REVEAL_TTL });
      return id;
    },
    take(id, now) {
      const entry = entries.get(id);
      entries.delete(id);
      return entry === undefined || entry.until <= now ? undefined : entry.reveal;
    },
  };
}
