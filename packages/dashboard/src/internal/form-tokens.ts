/**
 * One-time form tokens, one set per session: every form that changes something carries a fresh
 * random token, issued when its page is rendered and bound to the form's action (the path it posts
 * to). A post is let through only with a token of this session for that very action, and only
 * once: the token is spent before the change runs, so a second submission of the same form (a
 * reload, Back then Submit, a double click, a second tab) changes nothing and is sent where the
 * first one went. Tokens are kept as SHA-256 digests, looked up by digest (no comparison that
 * depends on the secret's bytes), and at most `MAX_FORM_TOKENS` per session, oldest first out.
 */
import { digest, randomToken } from './tokens.js';

/** The most tokens a session holds (issued or spent); past it the oldest are forgotten. */
export const MAX_FORM_TOKENS = 256;

/** What a posted token turned out to be. */
export type FormUse =
  /** A token issued for this action and not used before: now spent; report where the post led. */
  | { readonly kind: 'first'; settle(location: string | undefined): void }
  /** The token was used before: where its first submission led (`undefined`: it led nowhere). */
  | { readonly kind: 'repeat'; readonly location: Promise<string | undefined> }
  /** No token, another session's, another form's, or one forgotten long ago. */
  | { readonly kind: 'unknown' };

/** The form tokens of one session. */
export interface FormTokens {
  /** A fresh token for a form that posts to `action` (the path in its `action` attribute). */
  issue(action: string): string;
  /** Checks and spends the token a post to `action` carried. */
  use(token: unknown, action: string): FormUse;
}

interface Entry {
  readonly action: string;
  /** Set once the token is spent: where the first submission led. */
  location?: Promise<string | undefined>;
}

/** The path a form posts to, compared with percent-escapes decoded (a browser may re-encode). */
export function formAction(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] as string;
  try {
    return decodeURIComponent(bare);
  } catch {
    return bare;
  }
}

/** Creates the empty token set of a session. */
export function createFormTokens(): FormTokens {
  const entries = new Map<string, Entry>();
  const nameOf = (token: string) => digest(token).toString('base64url');
  return {
    issue(action) {
      const token = randomToken();
      entries.set(nameOf(token), { action: formAction(action) });
      while (entries.size > MAX_FORM_TOKENS) entries.delete(entries.keys().next().value as string);
      return token;
    },
    use(token, action) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 128) {
        return { kind: 'unknown' };
      }
      const entry = entries.get(nameOf(token));
      if (entry === undefined || entry.action !== formAction(action)) return { kind: 'unknown' };
      if (entry.location !== undefined) return { kind: 'repeat', location: entry.location };
      let settle: (location: string | undefined) => void = () => {};
      entry.location = new Promise((resolve) => {
        settle = resolve;
      });
      return { kind: 'first', settle };
    },
  };
}
