/**
 * The plumbing every dashboard route shares, made once per dashboard: the security headers and
 * nonce of each response, cookies scoped to the mount path, rendering and redirects, the audit
 * hook, and `signedIn()`, the wrapper of every route behind sign-in. It finds the session of the
 * cookie, re-checks the operator's key against the store on every request (a revoked, expired,
 * deleted or changed key ends the session at once), resolves the apps the key reaches now, and, for
 * a form post, checks the per-session CSRF token in constant time before the route runs.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type Entity,
  KeyNotFoundError,
  keyState,
  StoreError,
  type WritableKeyStore,
} from '@keyscope/core';
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

/** The operator of a request: their key, whom it belongs to, and the apps it reaches now. */
export interface Operator extends DashboardOperator {
  readonly entity: Entity;
  readonly apps: readonly string[];
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
}

/** What the routes share. */
export interface Kit {
  readonly settings: Settings;
  readonly store: WritableKeyStore;
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

  const kit: Kit = {
    settings,
    store,
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
          : error instanceof StoreError
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

  /** The operator of a session, checked against the store now; `undefined`: the key is unusable. */
  async function operatorOf(session: Session): Promise<Operator | undefined> {
    const record = await store.findKey(session.keyId);
    if (
      record === undefined ||
      record.entity.type === 'app' ||
      keyState(record) !== 'active' ||
      !timingSafeEqual(digest(record.secret), session.secretDigest)
    ) {
      return undefined;
    }
    const accountId =
      record.accountId ?? (record.entity.type === 'userAccount' ? record.entity.id : undefined);
    const entity: Entity = { type: record.entity.type, id: record.entity.id };
    return { keyId: record.id, entity, accountId, apps: await store.appsFor(entity) };
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
    return { ...ex, session, operator, frame };
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
