/**
 * Checks the test-kit's own tools: the fixture draws fresh secrets that core accepts, the header
 * builders produce what they claim, and supertest really sends two header lines for an array.
 */
import { createServer } from 'node:http';
import { createAuthenticator, validateKeysDocument } from '@keyscope/core';
import { basic, bearer, createFixture, rawToken, token } from '@keyscope/test-kit';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

describe('createFixture', () => {
  it('draws new secrets every time, in a valid keys document', () => {
    const a = createFixture();
    const b = createFixture();
    expect(validateKeysDocument(a.document)).toBe(a.document);
    expect(a.keys.appA.id).toBe(b.keys.appA.id);
    expect(a.keys.appA.secret).not.toBe(b.keys.appA.secret);
    expect(new Set(a.secrets).size).toBe(7);
  });

  it('serves keys core authenticates', async () => {
    const { keys, createStore } = createFixture();
    const authenticator = createAuthenticator({ store: createStore() });
    const auth = await authenticator.authenticate({
      authorization: basic(keys.service.id, keys.service.secret),
    });
    expect(auth).toMatchObject({ scope: 'account', accountId: 'acc_1' });
    expect(await authenticator.store.appsFor(auth.entity)).toEqual(['app_a']);
  });
});

describe('header builders', () => {
  const { keys } = createFixture();

  it('basic() encodes keyId:secret as base64 of UTF-8', () => {
    expect(basic('k', 'sé:cret')).toBe(`Basic ${Buffer.from('k:sé:cret').toString('base64')}`);
  });

  it('token() signs HS256 with kid, typ, iat and exp by default; undefined removes a field', async () => {
    const jwt = await token(keys.appA, { scope: 'app' });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'JWT', kid: keys.appA.id });
    const claims = decodeJwt(jwt);
    expect(claims.scope).toBe('app');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
    const bare = await token(keys.appA, { scope: 'app', exp: undefined }, { kid: undefined });
    expect(decodeProtectedHeader(bare).kid).toBeUndefined();
    expect(decodeJwt(bare).exp).toBeUndefined();
    expect(bearer(jwt)).toBe(`Bearer ${jwt}`);
  });

  it('rawToken() crafts headers jose will not sign', () => {
    const none = rawToken({ alg: 'none' }, { scope: 'app' }, { signature: '' });
    expect(none.endsWith('.')).toBe(true);
    expect(decodeProtectedHeader(none).alg).toBe('none');
    const crit = rawToken({ alg: 'HS256', crit: ['exp'] }, {}, { key: keys.appA });
    expect(crit.split('.')[2]).toMatch(/^[\w-]{43}$/);
  });
});

describe('supertest', () => {
  it('sends an array value as several header lines', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ distinct: req.headersDistinct.authorization, raw: req.rawHeaders }));
    });
    const response = await request(server)
      .get('/')
      .set('Authorization', ['Basic YTpi', 'Bearer x.y.z'] as unknown as string);
    expect(response.body.distinct).toEqual(['Basic YTpi', 'Bearer x.y.z']);
    expect(
      (response.body.raw as string[]).filter((name) => name.toLowerCase() === 'authorization'),
    ).toHaveLength(2);
  });
});
