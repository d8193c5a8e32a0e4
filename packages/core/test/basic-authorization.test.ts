/**
 * Tests of `basicAuthorization`: the header it builds authenticates through the real parser and
 * verifier (secrets with colons and non-ASCII text included), and it refuses what the parser would
 * refuse (an id with ":" or control characters, empty parts, lone surrogates, over 8 KiB) without
 * ever naming the secret.
 */
import { describe, expect, it } from 'vitest';
import {
  type BasicCredentials,
  basicAuthorization,
  createAuthenticator,
  createMemoryStore,
  InvalidArgumentError,
  parseAuthorization,
} from '../src/index.js';

const SECRET = 'demo:secret-with:colons-é-not-for-production';

describe('basicAuthorization', () => {
  it('builds "Basic base64(id:secret)" that the verifier accepts', async () => {
    const header = basicAuthorization({ id: 'app_key', secret: SECRET });
    expect(header).toBe(`Basic ${Buffer.from(`app_key:${SECRET}`, 'utf8').toString('base64')}`);
    expect(parseAuthorization(header)).toEqual({
      scheme: 'basic',
      keyId: 'app_key',
      secret: SECRET,
    });
    const store = createMemoryStore({
      version: 1,
      apps: [{ id: 'app_a', accountId: 'acc_1' }],
      keys: [{ id: 'app_key', secret: SECRET, entity: { type: 'app', id: 'app_a' } }],
    });
    const auth = await createAuthenticator({ store }).authenticate({ authorization: header });
    expect(auth).toMatchObject({ method: 'basic', keyId: 'app_key', scope: 'app', appId: 'app_a' });
  });

  it.each([
    [{ id: '', secret: 's' }, 'the key id must be a non-empty string'],
    [{ id: 5, secret: 's' }, 'the key id must be a non-empty string'],
    [{ id: 'a:b', secret: 's' }, 'the key id may not contain ":"'],
    [
      { id: 'a\nb', secret: 's' },
      'the key id may not contain control characters or lone surrogates',
    ],
    [
      { id: 'a\u0085', secret: 's' },
      'the key id may not contain control characters or lone surrogates',
    ],
    [
      { id: 'a\ud800', secret: 's' },
      'the key id may not contain control characters or lone surrogates',
    ],
    [{ id: 'app', secret: '' }, 'the secret must be a non-empty string'],
    [{ id: 'app', secret: null }, 'the secret must be a non-empty string'],
    [
      { id: 'app', secret: 'se\u0000cret' },
      'the secret may not contain control characters or lone surrogates',
    ],
    [
      { id: 'app', secret: 'se\udfffcret' },
      'the secret may not contain control characters or lone surrogates',
    ],
    [
      { id: 'app', secret: 'x'.repeat(6200) },
      'the header value would be longer than 8192 characters',
    ],
  ])('refuses %j', (credentials, message) => {
    let caught: unknown;
    try {
      basicAuthorization(credentials as unknown as BasicCredentials);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((caught as Error).message).toBe(message);
  });

  it('refuses a missing argument', () => {
    expect(() => basicAuthorization(undefined as unknown as BasicCredentials)).toThrow(
      InvalidArgumentError,
    );
  });

  it('accepts the longest value that fits in 8 KiB', () => {
    // "Basic " + base64 of 6141 bytes (8188 characters) = 8194 > 8192; 6138 bytes -> 8184 + 6.
    const header = basicAuthorization({ id: 'k', secret: 'x'.repeat(6136) });
    expect(header.length).toBeLessThanOrEqual(8192);
    expect(parseAuthorization(header)).toMatchObject({ scheme: 'basic', keyId: 'k' });
  });
});
