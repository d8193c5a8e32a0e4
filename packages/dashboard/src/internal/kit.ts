/**
 * The plumbing every dashboard route shares, made once per dashboard: the security headers and
 * nonce of each response, cookies scoped to the mount path, rendering, post/redirect/get, the audit
 * hook, the dashboard's one authenticator (with core's failed-attempt limiter), and `signedIn()`,
 * the wrapper of every route behind sign-in. It finds the session of the cookie, re-reads the
 * operator's key from the store on every request and judges it by core's rules (`keyState`,
 * `keyScope`, `accountOf`: a revoked, expired, deleted or changed key ends the session at once),
 * and, for a form post, refuses a form from another site and spends the form's one-time token
 * before the route runs (a repeated submission is sent where the first one went, and changes
 * nothing). Which apps the operator reaches is core's answer too, asked when a route needs it
 * (`listReachableApps`, `authenticator.authorize`), so a grant taken away takes effect at once.
 * Every page, refusal pages included, keeps the frame (navigation, who is signed in, Sign out)
 * while the operator is signed in, and every refusal says what actually happened.
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
import type { FormFrame, Frame } from './pages/frame.js';
import { messagePage } from './pages/message.js';
import { Refusal } from './refusal.js';
import { clientAddress, field, fromAnotherSite, requestOrigin } from './request.js';
import { createSessions, type Flash, type Session, type Sessions } from './sessions.js';
import type { Settings } from './settings.js';
import { digest } from './tokens.js';

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
  /** The page frame: the operator, the one-time notice or error, and the forms' tokens. */
  readonly frame: FormFrame;
  /** The one-time message this page shows (taken from the session by a page, not by a post). */
  readonly flash: Flash | undefined;
  /** For a form post: reports where it led, for a repeated submission of the same form. */
  readonly settle?: ((location: string | undefined) => void) | undefined;
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
  /** 303 to a path of the dashboard (`/apps`), after a post: where a repeat of the form goes. */
  redirect(ex: Exchange, path: string): void;
  /** 303 to an absolute path (`${base}/apps/app_a`). */
  redirectTo(ex: Exchange, location: string): void;
  /** Says `flash` once, on the next page the operator opens (the one a redirect leads to). */
  flash(ex: SignedIn, flash: Flash): void;
  /** The frame of a page for whoever sent the request: signed in (with the top bar) or not. */
  frameFor(ex: Exchange): Promise<Frame>;
  cookie(ex: Exchange, name: string, value: string, maxAge?: number): void;
  signedIn(handler: (ex: SignedIn) => Promise<void>, options?: { post?: boolean }): RequestHandler;
  fail(ex: Exchange, error: unknown, next: (error: unknown) => void): void;
  publicOperator(operator: Operator): DashboardOperator;
  /** The API origin of the `curl` lines. */
  apiBase(ex: Exchange): string;
}

/** The refusal of a form sent by another site (`Sec-Fetch-Site`). */
export function crossSiteRefusal(form?: 'sign-in'): Refusal {
  return new Refusal(
    403,
    'Form refused',
    form === 'sign-in'
      ? 'This sign-in form was sent from another site, so it was refused. Sign in from the dashboard itself.'
      : 'This form was sent from another site, so it was refused and nothing was changed. If you meant to make this change, make it from the dashboard itself.',
  );
}

/** The refusal of a form without a good one-time token (or, at sign-in, its form token). */
export function staleFormRefusal(form?: 'sign-in'): Refusal {
  return new Refusal(
    403,
    'Form refused',
    form === 'sign-in'
      ? 'The sign-in form expired or did not come from this dashboard. Reload the sign-in page and try again.'
      : 'This form is out of date or did not come from this dashboard, so nothing was changed. Reload the page and send it again.',
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
      kit.redirectTo(ex, `${ex.base}${path}`);
    },

    redirectTo(ex, location) {
      (ex as Partial<SignedIn>).settle?.(location);
      ex.res.redirect(303, location);
    },

    flash(ex, flash) {
      ex.session.flash = flash;
    },

    async frameFor(ex) {
      if ('frame' in ex) return (ex as SignedIn).frame;
      const bare: Frame = { nonce: ex.nonce, base: ex.base };
      const found = sessions.find(readCookie(ex.req.get('cookie'), SESSION_COOKIE), Date.now());
      if (found.session === undefined) return bare;
      try {
        const operator = await operatorOf(found.session);
        return operator === undefined ? bare : frameOf(ex, found.session, operator, undefined);
      } catch {
        return bare;
      }
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
        let current: Exchange = ex;
        authorize(ex, post)
          .then(async (signedIn) => {
            if (signedIn === undefined) return;
            current = signedIn;
            try {
              await handler(signedIn);
            } finally {
              // A post that led nowhere (a refusal page, an error): a repeat says so.
              signedIn.settle?.(undefined);
            }
          })
          .catch((error: unknown) => kit.fail(current, error, next));
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
      kit
        .frameFor(ex)
        .then((frame) => {
          if (ex.res.headersSent) return;
          const link =
            refusal.link === undefined
              ? frame.operator === undefined
                ? { href: `${ex.base}/sign-in`, label: 'Go to the sign-in page' }
                : { href: `${ex.base}/apps`, label: 'Back to the apps' }
              : {
                  href: refusal.link.absolute
                    ? refusal.link.href
                    : `${ex.base}${refusal.link.href}`,
                  label: refusal.link.label,
                };
          const page = messagePage(frame, {
            title: refusal.title,
            message: refusal.message,
            link,
          });
          kit.send(ex, refusal.status, page);
        })
        .catch(next);
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

  /** The frame of a signed-in page: the top bar, the one-time message, the forms' tokens. */
  function frameOf(
    ex: Exchange,
    session: Session,
    operator: Operator,
    flash: Flash | undefined,
  ): FormFrame {
    const { base } = ex;
    return {
      nonce: ex.nonce,
      base,
      notice: flash?.notice,
      error: flash?.error,
      operator: {
        keyId: operator.keyId,
        kind: operator.entity.type === 'serviceAccount' ? 'serviceAccount' : 'userAccount',
        entityId: operator.entity.id,
        // Issued only when the top bar is rendered.
        get signOutToken() {
          return session.forms.issue(`${base}/sign-out`);
        },
      },
      token: (action) => session.forms.issue(action),
    };
  }

  /** The signed-in request, or `undefined` when it was answered (not signed in). */
  async function authorize(ex: Exchange, post: boolean): Promise<SignedIn | undefined> {
    const { req } = ex;
    const address = clientAddress(req);
    const cookieId = readCookie(req.get('cookie'), SESSION_COOKIE);
    const found = sessions.find(cookieId, ex.now.getTime());
    if (found.session === undefined) {
      if (found.ended === 'expired') {
        kit.emit({ action: 'session.ended', reason: 'expired', address });
      }
      if (post && fromAnotherSite(req)) {
        // Browsers do not send the session cookie with such a form: say what happened, and
        // nothing about a session this request cannot tell about.
        kit.emit({ action: 'csrf.refused', address });
        throw crossSiteRefusal();
      }
      if (cookieId !== undefined) kit.cookie(ex, SESSION_COOKIE, '', 0);
      ended(
        ex,
        post,
        found.ended === 'expired' ? 'expired' : cookieId === undefined ? 'none' : 'unknown',
      );
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
        address,
      });
      ended(ex, post, 'revoked');
      return undefined;
    }
    // A page shows the one-time message; a post leaves it for the page it leads to.
    const flash = post ? undefined : session.flash;
    if (!post) session.flash = undefined;
    const signedIn: SignedIn = {
      ...ex,
      session,
      operator,
      flash,
      frame: frameOf(ex, session, operator, flash),
      ...reachOf(operator),
    };
    if (!post) return signedIn;

    const refused = () =>
      kit.emit({ action: 'csrf.refused', operator: kit.publicOperator(operator), address });
    if (fromAnotherSite(req)) {
      refused();
      throw crossSiteRefusal();
    }
    const use = session.forms.use(field(req, '_csrf'), req.originalUrl);
    if (use.kind === 'unknown') {
      refused();
      throw staleFormRefusal();
    }
    if (use.kind === 'repeat') {
      const location = await use.location;
      if (location === undefined) {
        throw new Refusal(
          409,
          'Form already sent',
          'This form was already sent once (by a reload, a second click or another tab), so it was not sent again and nothing more was changed.',
        );
      }
      // The first submission's own message, if it is still waiting, says more.
      session.flash ??= {
        notice: 'This form was already sent once, so it was not sent again: this is where it led.',
      };
      ex.res.redirect(303, location);
      return undefined;
    }
    return { ...signedIn, settle: use.settle };
  }

  /**
   * Not signed in: a page asks to sign in (303); a form post is refused (403) with what happened:
   * the key was revoked, the session expired, it ended, or no session cookie came at all.
   */
  function ended(
    ex: Exchange,
    post: boolean,
    reason: 'expired' | 'revoked' | 'unknown' | 'none',
  ): void {
    if (!post) {
      const query = reason === 'none' ? '' : `?ended=${reason === 'unknown' ? 'over' : reason}`;
      kit.redirect(ex, `/sign-in${query}`);
      return;
    }
    const messages = {
      revoked:
        'Your session ended because the key you signed in with was revoked, has expired or is gone, so nothing was changed.',
      expired:
        'Your session expired (it was idle too long, or reached its time limit), so nothing was changed. Sign in and send the form again.',
      unknown:
        'Your session is over (you signed out, signed in with the same key too many times elsewhere, or the dashboard was restarted), so nothing was changed. Sign in and send the form again.',
      none: 'This form came without a session, so nothing was changed: you are not signed in in this browser.',
    };
    kit.send(
      ex,
      403,
      messagePage(
        { nonce: ex.nonce, base: ex.base },
        {
          title: reason === 'none' ? 'Not signed in' : 'Your session has ended',
          message: messages[reason],
          link: { href: `${ex.base}/sign-in`, label: 'Sign in' },
        },
      ),
    );
  }

  return kit;
}
