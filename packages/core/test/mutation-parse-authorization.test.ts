/**
 * Tests added for mutation testing (`pnpm mutation`) of `parse-authorization.ts`: behaviours the
 * other tests left open, each of which a surviving mutant changed. Two or more spaces after a
 * scheme spelled the usual way are still separators, and a malformed field names the method its
 * scheme announced, in the error and in the `onRejected` event.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuthError,
  createAuthenticator,
  createMemoryStore,
  parseAuthorization,
  type RejectionEvent,
} from '../src/index.js';
import {
  basic,
  expectAuthError,
  KEY,
  keysDocument,
  refused,
  rejection,
  SECRET,
  thrown,
} from './support/fixtures.js';

const credentials = basic(KEY.appA, SECRET.appA).slice('Basic '.length);

describe('parseAuthorization: spaces after the scheme', () => {
  it.each(['Basic  ', 'Basic   ', 'Basic      '])(
    '%j then base64 is Basic credentials',
    (prefix) => {
      expect(parseAuthorization(`${prefix}${credentials}`)).toEqual({
        scheme: 'basic',
        keyId: KEY.appA,
        secret: SECRET.appA,
      });
    },
  );

  it.each(['Bearer  ', 'Bearer    '])('%j then a token is that token', (prefix) => {
    expect(parseAuthorization(`${prefix}a.b.c`)).toEqual({ scheme: 'bearer', token: 'a.b.c' });
  });

  it('two spaces authenticate through the authenticator as one does', async () => {
    const auth = createAuthenticator({ store: createMemoryStore(keysDocument()) });
    const context = await auth.authenticate({ authorization: `Basic  ${credentials}` });
    expect(context.keyId).toBe(KEY.appA);
  });

  it('a scheme followed by a character that is not a space is another scheme', () => {
    const error = thrown(() => parseAuthorization(`Basic!${credentials}`));
    expectAuthError(error, refused.malformed('malformed_header'));
    expectAuthError(
      thrown(() => parseAuthorization('Bearer! a.b.c')),
      refused.required('unsupported_scheme'),
    );
  });
});

describe('parseAuthorization: the method of a malformed field', () => {
  it.each([
    ['Bearer a b', 'jwt'],
    ['bearer a=b', 'jwt'],
    ['Bearer', 'jwt'],
    ['Basic a b', 'basic'],
    ['BASIC ===', 'basic'],
    ['Basic', 'basic'],
  ])('%j is malformed, method %s', (value, method) => {
    const error = thrown(() => parseAuthorization(value)) as AuthError;
    expectAuthError(error, refused.malformed('malformed_header'));
    expect(error.method).toBe(method);
  });

  it('the onRejected event carries that method', async () => {
    const events: RejectionEvent[] = [];
    const auth = createAuthenticator({
      store: createMemoryStore(keysDocument()),
      onRejected: (event) => events.push(event),
    });
    await rejection(auth.authenticate({ authorization: 'Bearer a b' }));
    await rejection(auth.authenticate({ authorization: 'Basic a b' }));
    expect(events).toEqual([
      { reason: 'malformed_header', status: 400, method: 'jwt', keyId: undefined },
      { reason: 'malformed_header', status: 400, method: 'basic', keyId: undefined },
    ]);
  });
});
