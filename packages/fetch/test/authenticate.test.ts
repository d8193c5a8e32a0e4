/**
 * `authenticate(request, options)` with real Web `Request` objects: the context on success, a ready
 * refusal `Response` (status, code, exact `WWW-Authenticate`, JSON body) otherwise, `optional`, the
 * accepted option shapes, the client's `address` where the runtime gives one, refusals of another
 * copy of keyscope, and repeated `Authorization` fields joined by `Headers`.
 */
import {
  basic,
  bearer,
  CHALLENGES,
  createFixture,
  type Fixture,
  faultyStore,
  token,
} from '@keyscope/test-kit';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  authenticate,
  ConfigurationError,
  createAuthenticator,
  MalformedAuthorizationError,
} from '../src/index.js';

let fixture: Fixture;
beforeAll(() => {
  fixture = createFixture();
});

const request = (authorization?: string | readonly string[]) => {
  const headers = new Headers();
  for (const value of typeof authorization === 'string' ? [authorization] : (authorization ?? [])) {
    headers.append('authorization', value);
  }
  return new Request('http://api.test/v2/whoami', { headers });
};

async function expectRefusal(
  result: Awaited<ReturnType<typeof authenticate>>,
  status: number,
  code: string,
  challenge: string | null,
) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.response.status).toBe(status);
  expect(result.response.headers.get('www-authenticate')).toBe(challenge);
  expect(result.response.headers.get('content-type')).toBe('application/json');
  expect(await result.response.json()).toStrictEqual({
    errors: [{ code, title: expect.any(String) }],
  });
  expect(result.error.status).toBe(status);
}

describe('authenticate', () => {
  it('resolves the context of a Basic app key', async () => {
    const { appA } = fixture.keys;
    const authenticator = createAuthenticator({ store: fixture.createStore() });
    const result = await authenticate(request(basic(appA.id, appA.secret)), authenticator);
    expect(result).toMatchObject({
      ok: true,
      auth: { method: 'basic', keyId: appA.id, scope: 'app', appId: 'app_a' },
    });
  });

  it('resolves the context of a JWT (appUser scope)', async () => {
    const { appA } = fixture.keys;
    const jwt = await token(appA, { scope: 'appUser', userId: 'u_1' });
    const result = await authenticate(request(bearer(jwt)), { store: fixture.createStore() });
    expect(result).toMatchObject({ ok: true, auth: { scope: 'appUser', userId: 'u_1' } });
  });

  it('answers 401 with both challenges when there are no credentials', async () => {
    const result = await authenticate(request(), { store: fixture.createStore() });
    await expectRefusal(result, 401, 'unauthorized', CHALLENGES.both);
  });

  it('answers 401 invalid_token for a token signed with another secret', async () => {
    const jwt = await token({ id: fixture.keys.appA.id, secret: 'x'.repeat(32) }, { scope: 'app' });
    const result = await authenticate(request(bearer(jwt)), { store: fixture.createStore() });
    await expectRefusal(result, 401, 'unauthorized', CHALLENGES.invalidToken);
  });

  it('answers 503 with no challenge when the store is down', async () => {
    const { appA } = fixture.keys;
    const store = faultyStore(fixture.createStore(), 'findKey');
    const result = await authenticate(request(basic(appA.id, appA.secret)), { store });
    await expectRefusal(result, 503, 'service_unavailable', null);
  });

  describe('repeated Authorization fields', () => {
    it('Headers joins them with ", "', () => {
      expect(request(['Basic YQ==', 'Basic Yg==']).headers.get('authorization')).toBe(
        'Basic YQ==, Basic Yg==',
      );
    });

    it('the joined value breaks the token68 grammar: 400 invalid_request', async () => {
      const { appA } = fixture.keys;
      const value = basic(appA.id, appA.secret);
      const result = await authenticate(request([value, value]), {
        store: fixture.createStore(),
      });
      await expectRefusal(result, 400, 'bad_request', CHALLENGES.invalidRequest);
      expect(result.ok || result.error).toBeInstanceOf(MalformedAuthorizationError);
    });

    it('a valid Bearer token next to an empty field is refused too', async () => {
      const jwt = await token(fixture.keys.appA, { scope: 'app' });
      const result = await authenticate(request([bearer(jwt), '']), {
        store: fixture.createStore(),
      });
      await expectRefusal(result, 400, 'bad_request', CHALLENGES.invalidRequest);
    });
  });

  describe('optional', () => {
    it('lets a request without credentials through with no context', async () => {
      const result = await authenticate(request(), {
        store: fixture.createStore(),
        optional: true,
      });
      expect(result).toStrictEqual({ ok: true, auth: undefined });
    });

    it('still refuses a bad credential', async () => {
      const result = await authenticate(request('Basic ~~'), {
        store: fixture.createStore(),
        optional: true,
      });
      await expectRefusal(result, 401, 'unauthorized', CHALLENGES.both);
    });
  });

  describe('options', () => {
    it('creates the authenticator once per options object', async () => {
      const store = fixture.createStore();
      const findKey = vi.spyOn(store, 'findKey');
      const onAuthenticated = vi.fn();
      const options = { store, onAuthenticated };
      const { appA } = fixture.keys;
      await authenticate(request(basic(appA.id, appA.secret)), options);
      await authenticate(request(basic(appA.id, appA.secret)), options);
      expect(findKey).toHaveBeenCalledTimes(2);
      expect(onAuthenticated).toHaveBeenCalledTimes(2);
    });

    it('accepts { authenticator }', async () => {
      const authenticator = createAuthenticator({ store: fixture.createStore() });
      const result = await authenticate(request(), { authenticator, optional: true });
      expect(result.ok).toBe(true);
    });

    it('rejects with ConfigurationError for invalid options', async () => {
      await expect(authenticate(request(), { store: {} as never })).rejects.toBeInstanceOf(
        ConfigurationError,
      );
    });

    it('rethrows errors that are not AuthErrors', async () => {
      const boom = new TypeError('boom');
      const authenticator = {
        ...createAuthenticator({ store: fixture.createStore() }),
        authenticate: () => Promise.reject(boom),
      };
      await expect(authenticate(request(), authenticator)).rejects.toBe(boom);
    });
  });

  describe('address', () => {
    it('hands the hooks the address the runtime gives, and the method, never the credentials', async () => {
      const onAuthenticated = vi.fn();
      const onRejected = vi.fn();
      const { appA } = fixture.keys;
      const options = {
        store: fixture.createStore(),
        onAuthenticated,
        onRejected,
        address: (r: Request) => r.headers.get('x-test-peer') ?? undefined,
      };
      const headers = { authorization: basic(appA.id, appA.secret), 'x-test-peer': '198.51.100.4' };
      await authenticate(new Request('http://api.test/', { method: 'PUT', headers }), options);
      expect(onAuthenticated.mock.calls[0]?.[1]).toEqual({
        method: 'PUT',
        address: '198.51.100.4',
      });
      await authenticate(request('Basic ~~'), options);
      expect(onRejected.mock.calls[0]?.[1]).toEqual({ method: 'GET', address: undefined });
    });

    it('is undefined without the option (a Request does not carry it)', async () => {
      const onAuthenticated = vi.fn();
      const { appA } = fixture.keys;
      await authenticate(request(basic(appA.id, appA.secret)), {
        store: fixture.createStore(),
        onAuthenticated,
      });
      expect(onAuthenticated.mock.calls[0]?.[1]).toEqual({ method: 'GET', address: undefined });
    });
  });

  it('answers a refusal of another copy of keyscope (the brand, not the class)', async () => {
    class ForeignRefusal extends Error {
      readonly status = 503;
      readonly code = 'service_unavailable';
      readonly headers = {};
      toBody() {
        return { errors: [{ code: this.code, title: this.message }] };
      }
    }
    Object.defineProperty(ForeignRefusal.prototype, Symbol.for('keyscope.AuthError'), {
      value: true,
    });
    const authenticator = {
      ...createAuthenticator({ store: fixture.createStore() }),
      authenticate: () => Promise.reject(new ForeignRefusal('Authentication service unavailable')),
    };
    const result = await authenticate(request(), authenticator);
    await expectRefusal(result, 503, 'service_unavailable', null);
  });

  it('types the context as possibly undefined only with optional', async () => {
    const authenticator = createAuthenticator({ store: fixture.createStore() });
    const strict = await authenticate(request(), authenticator);
    if (strict.ok) {
      const auth: AuthContext = strict.auth;
      void auth;
    }
    const loose = await authenticate(request(), { authenticator, optional: true });
    if (loose.ok) {
      // @ts-expect-error the context is undefined without credentials
      const auth: AuthContext = loose.auth;
      void auth;
    }
  });
});
