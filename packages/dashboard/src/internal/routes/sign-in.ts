/**
 * Sign-in and sign-out. The sign-in form posts a key id and a secret; they are checked by keyscope's
 * own authenticator exactly as an `Authorization: Basic` header would be (constant-time comparison,
 * an unknown id costing the same as a wrong secret), and only user-account and service-account keys
 * are let in. The form carries a token that must match a cookie set with the form (so another site
 * cannot sign a browser in), failures are limited by core's `createMemoryRateLimiter` per (key id,
 * client address) and per address (a good sign-in forgets only its own key's count, so no key can
 * reset the count of guesses at another), a new random session id is issued at each sign-in, and
 * sign-out destroys the session on the server.
 */
import {
  type AuthContext,
  AuthError,
  basicAuthorization,
  InvalidArgumentError,
  type RateLimitAttempt,
} from '@keyscope/core';
import { readCookie } from '../cookies.js';
import {
  crossSiteRefusal,
  type Exchange,
  type Kit,
  SESSION_COOKIE,
  staleFormRefusal,
  storeDown,
} from '../kit.js';
import { messagePage } from '../pages/message.js';
import { signInPage } from '../pages/sign-in.js';
import { clientAddress, field, fromAnotherSite } from '../request.js';
import { digest, randomToken, sameToken } from '../tokens.js';

/** The cookie that pairs the sign-in form with the browser it was sent to. */
const SIGN_IN_COOKIE = 'keyscope_signin';

const ENDED_NOTICES: Readonly<Record<string, string>> = {
  expired: 'Your session expired. Sign in again.',
  revoked: 'Your session ended: the key you signed in with was revoked, has expired or is gone.',
  'signed-out': 'You signed out.',
  over: 'Your session is over: you signed out in another tab, signed in with the same key too many times elsewhere (the oldest sessions end), or the dashboard was restarted. Sign in again.',
};

/** Adds `GET /`, `GET /sign-in`, `POST /sign-in` and `POST /sign-out`. */
export function installSignIn(kit: Kit): void {
  const { router, form, sessions, authenticator, limiter } = kit;

  router.get('/', (req, res) => kit.redirect(kit.begin(req, res), '/apps'));

  router.get('/sign-in', (req, res) => {
    const ex = kit.begin(req, res);
    const found = sessions.find(readCookie(req.get('cookie'), SESSION_COOKIE), ex.now.getTime());
    if (found.session !== undefined) return kit.redirect(ex, '/apps');
    const formToken = readCookie(req.get('cookie'), SIGN_IN_COOKIE) ?? randomToken();
    kit.cookie(ex, SIGN_IN_COOKIE, formToken, 3600);
    const ended = typeof req.query.ended === 'string' ? req.query.ended : '';
    const notice = Object.hasOwn(ENDED_NOTICES, ended) ? ENDED_NOTICES[ended] : undefined;
    kit.send(ex, 200, signInPage({ nonce: ex.nonce, base: ex.base, notice }, { formToken }));
  });

  router.post('/sign-in', form, (req, res, next) => {
    const ex = kit.begin(req, res);
    signIn(ex).catch((error: unknown) => kit.fail(ex, error, next));
  });

  async function signIn(ex: Exchange): Promise<void> {
    const { req } = ex;
    const address = clientAddress(req);
    const frame = { nonce: ex.nonce, base: ex.base };
    const formToken = readCookie(req.get('cookie'), SIGN_IN_COOKIE);
    const keyId = field(req, 'keyId')?.trim() ?? '';
    const refuse = (status: number, error: string, reason: string, knownKey?: string) => {
      kit.emit({ action: 'sign-in.refused', reason, keyId: knownKey, address });
      const page = signInPage(frame, { formToken: formToken ?? randomToken(), error, keyId });
      kit.send(ex, status, page);
    };

    if (fromAnotherSite(req)) {
      kit.emit({ action: 'csrf.refused', address });
      throw crossSiteRefusal('sign-in');
    }
    if (formToken === undefined || !sameToken(field(req, '_csrf'), formToken)) {
      kit.emit({ action: 'csrf.refused', address });
      throw staleFormRefusal('sign-in');
    }

    const secret = field(req, 'secret') ?? '';
    let authorization: string;
    try {
      if (keyId.length > 256 || secret.length > 4096) throw new InvalidArgumentError('too long');
      authorization = basicAuthorization({ id: keyId, secret });
    } catch {
      // Not a credential at all: counted like a refused one, as the authenticator would.
      const attempt: RateLimitAttempt = { keyId: keyId || undefined, address, method: 'basic' };
      const decision = limiter.check(attempt);
      if (!decision.allowed) {
        await tooMany(ex, decision.retryAfter);
        return;
      }
      limiter.recordFailure(attempt);
      refuse(
        401,
        'Enter the key id and the secret of a user-account or service-account key.',
        'malformed',
      );
      return;
    }

    let context: AuthContext;
    try {
      context = await authenticator.authenticate({ authorization, method: 'POST', address });
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (error.status === 503) throw storeDown();
      if (error.status === 429) {
        await tooMany(ex, Number(error.headers['Retry-After']));
        return;
      }
      refuse(
        401,
        'Sign-in refused: the key id or the secret is wrong, or the key is revoked or expired.',
        error.reason,
        error.reason === 'unknown_key' ? undefined : keyId,
      );
      return;
    }
    if (context.scope !== 'account') {
      refuse(
        403,
        'App keys cannot sign in to the dashboard. Use the key of a user account or of a service account.',
        'app_key',
        context.keyId,
      );
      return;
    }

    // A fresh id at every sign-in: a session id known before sign-in is worth nothing after it.
    sessions.destroy(readCookie(req.get('cookie'), SESSION_COOKIE));
    const { id } = sessions.create(
      { keyId: context.keyId, secretDigest: digest(secret) },
      ex.now.getTime(),
    );
    kit.cookie(ex, SESSION_COOKIE, id);
    kit.cookie(ex, SIGN_IN_COOKIE, '', 0);
    kit.emit({
      action: 'sign-in',
      operator: { keyId: context.keyId, entity: context.entity, accountId: context.accountId },
      address,
    });
    kit.redirect(ex, '/apps');
  }

  /** 429: too many failed sign-ins, with this key id from this address or from this address. */
  async function tooMany(ex: Exchange, retryAfter: number): Promise<void> {
    const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 1;
    ex.res.set('Retry-After', String(seconds));
    kit.emit({ action: 'sign-in.refused', reason: 'rate_limited', address: clientAddress(ex.req) });
    const minutes = Math.ceil(seconds / 60);
    kit.send(
      ex,
      429,
      messagePage(
        // A sign-in from a browser that is signed in already (an old tab) keeps the frame.
        await kit.frameFor(ex),
        {
          title: 'Too many attempts',
          message: `Too many failed sign-ins from your address (with this key id, or in all). Nothing was checked. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
          link: { href: `${ex.base}/sign-in`, label: 'Back to sign-in' },
        },
      ),
    );
  }

  router.post(
    '/sign-out',
    form,
    kit.signedIn(
      async (ex) => {
        sessions.destroy(readCookie(ex.req.get('cookie'), SESSION_COOKIE));
        kit.cookie(ex, SESSION_COOKIE, '', 0);
        kit.emit({ action: 'sign-out', operator: kit.publicOperator(ex.operator) });
        kit.redirect(ex, '/sign-in?ended=signed-out');
      },
      { post: true },
    ),
  );
}
