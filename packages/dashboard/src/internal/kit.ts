/**
 * The plumbing every dashboard route shares, made once per dashboard: the security headers and
 * nonce of each response, cookies scoped to the mount path, rendering and redirects, the audit
 * hook, the dashboard's one authenticator (with core's failed-attempt limiter), and `signedIn()`,
 * the wrapper of every route behind sign-in. It finds the session of the cookie, re-reads the
 * operator's key from the store on every request and judges it by core's rules (`keyState`,
 * `keyScope`, `accountOf`: a revoked, expired, deleted or changed key ends the session at once),
 * and, for a form post, checks the per-session CSRF token in constant time before the route runs.
 * Which apps the operator reaches is core's answer too, asked when a route needs it
 * (`listReachableApps`, `authenticator.authorize`), so a grant taken away takes effect at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AuthContext,
  AuthError,
  type Authenticator,
  createAuthenticator,
  createMemoryRateLimiter,
  type Entity,
  ForbiddenError,
  KeyNotFoundError,
  listReachableApps,
  type MemoryRateLimiter,
  StoreError,
  type WritableKeyStore,
} from '@keyscope/core';
import { accountOf, keyScope, keyState } from '@keyscope/core/rules';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { DashboardEvent, DashboardOperator } from '../types.js';
import { readCookie, serializeCookie } from './cookies.js';
import type { Html } from './html.js';
import type { Frame } from './pages/frame.js';
import { messagePage } from './pages/message.js';
import { Refusal } from './refusal.js';
import { clientAddress, field, fromAnotherSite, requestOrigin } from './request.js';
import { createSessions, type Session, type Sessions } from './sessions.js';
import type { Settings } from './settings.js';
import { digest, sameToken } from './tokens.js';

/** The name of the session cookie. */
export const SESSION_COOKIE = 'keyscope_session';

/** The operator of a request: their key, whom it belongs to, and what core makes of it. */
export interface Operator extends DashboardOperator {
  readonly entity: Entity;
  /** The context the key grants on its own (account scope), as core's Basic verification makes it. */
  readonly context: AuthContext;
}

/** A request being answered. */
export interface Exchange {
  readonly req: Request;
  readonly res: Response;
  /** The mount path, without a trailing slash (`''` at the root). */
  readonly base: string;
  /** The CSP nonce of this response. */
  readonly nonce: string;
  readonly now: Date;
}

/** A request of a signed-in operator. */
export interface SignedIn extends Exchange {
  readonly session: Session;
  readonly operator: Operator;
  /** The page frame, with the operator and the session's one-time notice. */
  readonly frame: Frame;
  /** The apps the operator's key reaches now (core's `listReachableApps`, asked once a request). */
  apps(): Promise<readonly string[]>;
  /**
   * Resolves when the operator's key reaches app `appId` now (core's `authorize` at account scope).
   *
   * @throws {Refusal} 403 when it does not, or there is no such app.
   */
  reach(appId: string): Promise<void>;
}

/** What the routes share. */
export interface Kit {
  readonly settings: Settings;
  readonly store: WritableKeyStore;
  /** Core's authenticator over the store, with `limiter` as its rate limiter (sign-in). */
  readonly authenticator: Authenticator;
  /** Core's failed-attempt limiter, per (key id, address) and per address. */
  readonly limiter: MemoryRateLimiter;
  readonly sessions: Sessions;
  readonly router: Router;
  /** The form-body parser (urlencoded, small). */
  readonly form: RequestHandler;
  emit(event: Omit<DashboardEvent, 'at'>): void;
  begin(req: Request, res: Response): Exchange;
  send(ex: Exchange, status: number, body: Html): void;
  /** 303 to a path of the dashboard. */
  redirect(ex: Exchange, path: string): void;
  cookie(ex: Exchange, name: string, value: string, maxAge?: number): void;
  signedIn(handler: (ex: SignedIn) => Promise<void>, options?: { post?: boolean }): RequestHandler;
  fail(ex: Exchange, error: unknown, next: (error: unknown) => void): void;
  publicOperator(operator: Operator): DashboardOperator;
  /** The API origin of the `curl` lines. */
  apiBase(ex: Exchange): string;
}

/** The refusal of a form without a good CSRF token. */
export function csrfRefusal(form?: 'sign-in'): Refusal {
  return new Refusal(
    403,
    'Form refused',
    form === 'sign-in'
      ? 'The sign-in form expired or did not come from this dashboard. Reload the sign-in page and try again.'
      : 'This form expired or did not come from this dashboard, so nothing was changed. Go back, reload the page and try again.',
  );
}

/** The answer when the store cannot answer. */
export function storeDown(): Refusal {
  return new Refusal(
    503,
    'Key store unavailable',
    'The key store could not answer or complete the change; nothing was changed. Try again in a moment.',
  );
}

/** Makes the kit of one dashboard. */
export function createKit(
  settings: Settings,
  onEvent: ((event: DashboardEvent) => void) | undefined,
): Kit {
  const { store } = settings;
  const sessions = createSessions(settings);
  const limiter = createMemoryRateLimiter(settings.signInLimit);
  // It asks the limiter before it verifies a sign-in, and reports every 401 and success to it.
  const authenticator = createAuthenticator({ store, rateLimiter: limiter });

  const kit: Kit = {
    settings,
    store,
    authenticator,
    limiter,
    sessions,
    router: express.Router(),
    form: express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),

    emit(event) {
      if (onEvent === undefined) return;
      try {
        onEvent({ ...event, at: new Date() });
      } catch {
        // An audit hook that fails neither blocks nor undoes the change.
      }
    },

    begin(req, res) {
      const nonce = randomBytes(18).toString('base64');
      res.set({
        'Content-Security-Policy': [
          "default-src 'none'",
          `style-src 'nonce-${nonce}'`,
          `script-src 'nonce-${nonce}'`,
          "form-action 'self'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
        ].join('; '),
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Resource-Policy': 'same-origin',
      });
      return { req, res, base: req.baseUrl.replace(/\/+$/, ''), nonce, now: new Date() };
    },

    send(ex, status, body) {
      ex.res.status(status).type('html').send(body.toString());
    },

    redirect(ex, path) {
      ex.res.redirect(303, `${ex.base}${path}`);
    },

    cookie(ex, name, value, maxAge) {
      ex.res.append(
        'Set-Cookie',
        serializeCookie(name, value, {
          path: ex.base === '' ? '/' : ex.base,
          secure: settings.secureCookie || ex.req.secure,
          maxAge,
        }),
      );
    },

    signedIn(handler, { post = false } = {}) {
      return function keyscopeDashboardRoute(req, res, next) {
        const ex = kit.begin(req, res);
        authorize(ex, post)
          .then((signedIn) => (signedIn === undefined ? undefined : handler(signedIn)))
          .catch((error: unknown) => kit.fail(ex, error, next));
      };
    },

    fail(ex, error, next) {
      const refusal =
        error instanceof Refusal
          ? error
          : error instanceof StoreError || (error instanceof AuthError && error.status === 503)
            ? storeDown()
            : error instanceof KeyNotFoundError
              ? new Refusal(404, 'No such key', 'That key does not exist any more.')
              : undefined;
      if (refusal === undefined || ex.res.headersSent) {
        next(error);
        return;
      }
      kit.send(
        ex,
        refusal.status,
        messagePage(
          { nonce: ex.nonce, base: ex.base },
          {
            title: refusal.title,
            message: refusal.message,
            link: { href: `${ex.base}/apps`, label: 'Back to the apps' },
          },
        ),
      );
    },

    publicOperator: (operator) => ({
      keyId: operator.keyId,
      entity: operator.entity,
      accountId: operator.accountId,
    }),

    apiBase: (ex) => settings.apiBaseUrl ?? requestOrigin(ex.req),
  };

  /**
   * The operator of a session, judged now by core's rules on the key read from the store;
   * `undefined`: the key is gone, changed, not active, or not an account key.
   */
  async function operatorOf(session: Session): Promise<Operator | undefined> {
    const record = await store.findKey(session.keyId);
    if (
      record === undefined ||
      keyScope(record.entity.type) !== 'account' ||
      keyState(record) !== 'active' ||
      // The session's own check: the secret it signed in with is still the key's secret.
      !timingSafeEqual(digest(record.secret), session.secretDigest)
    ) {
      return undefined;
    }
    const entity: Entity = { type: record.entity.type, id: record.entity.id };
    const accountId = accountOf(record);
    const context: AuthContext = {
      method: 'basic',
      keyId: record.id,
      entity,
      scope: 'account',
      accountId,
    };
    return { keyId: record.id, entity, accountId, context };
  }

  /** What the routes ask core about the operator's reach, the list asked at most once. */
  function reachOf(operator: Operator): Pick<SignedIn, 'apps' | 'reach'> {
    let apps: Promise<readonly string[]> | undefined;
    return {
      apps: () => {
        apps ??= listReachableApps(authenticator, operator.context);
        return apps;
      },
      reach: async (appId) => {
        try {
          await authenticator.authorize(operator.context, 'account', { appId });
        } catch (error) {
          if (!(error instanceof ForbiddenError)) throw error;
          throw new Refusal(
            403,
            'Not one of your apps',
            'The key you signed in with cannot reach this app (or there is no such app).',
          );
        }
      },
    };
  }

  /** The signed-in request, or `undefined` when it was answered (not signed in). */
  async function authorize(ex: Exchange, post: boolean): Promise<SignedIn | undefined> {
    const { req } = ex;
    const cookieId = readCookie(req.get('cookie'), SESSION_COOKIE);
    const found = sessions.find(cookieId, ex.now.getTime());
    if (found.session === undefined) {
      if (found.ended === 'expired') {
        kit.emit({ action: 'session.ended', reason: 'expired', address: clientAddress(req) });
      }
      if (cookieId !== undefined) kit.cookie(ex, SESSION_COOKIE, '', 0);
      ended(ex, post, found.ended === 'expired' ? 'expired' : undefined);
      return undefined;
    }
    const { session } = found;
    let operator: Operator | undefined;
    try {
      operator = await operatorOf(session);
    } catch {
      throw storeDown();
    }
    if (operator === undefined) {
      sessions.destroy(cookieId);
      kit.cookie(ex, SESSION_COOKIE, '', 0);
      kit.emit({
        action: 'session.ended',
        reason: 'key_not_usable',
        keyId: session.keyId,
        address: clientAddress(req),
      });
      ended(ex, post, 'revoked');
      return undefined;
    }
    if (post && (fromAnotherSite(req) || !sameToken(field(req, '_csrf'), session.csrfToken))) {
      kit.emit({
        action: 'csrf.refused',
        operator: kit.publicOperator(operator),
        address: clientAddress(req),
      });
      throw csrfRefusal();
    }
    const notice = session.notice;
    session.notice = undefined;
    const frame: Frame = {
      nonce: ex.nonce,
      base: ex.base,
      notice,
      operator: {
        keyId: operator.keyId,
        kind: operator.entity.type === 'serviceAccount' ? 'serviceAccount' : 'userAccount',
        entityId: operator.entity.id,
        csrfToken: session.csrfToken,
      },
    };
    return { ...ex, session, operator, frame, ...reachOf(operator) };
  }

  /** Not signed in: a page asks to sign in (303); a form post is refused (403), nothing changed. */
  function ended(ex: Exchange, post: boolean, reason: 'expired' | 'revoked' | undefined): void {
    if (!post) {
      kit.redirect(ex, `/sign-in${reason === undefined ? '' : `?ended=${reason}`}`);
      return;
    }
    kit.send(
      ex,
      403,
      messagePage(
        { nonce: ex.nonce, base: ex.base },
        {
          title: 'Your session has ended',
          message:
            reason === 'revoked'
              ? 'The key you signed in with was revoked, has expired or is gone, so nothing was changed.'
              : 'You are not signed in (the session expired or you signed out), so nothing was changed.',
          link: { href: `${ex.base}/sign-in`, label: 'Sign in' },
        },
      ),
    );
  }

  return kit;
}
