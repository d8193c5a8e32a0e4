/**
 * Key ids that break the keys file's id rule (more than 256 characters, control characters) are
 * unknown without asking the store, for Basic and for Bearer: a hostile id never reaches a
 * database, and the answer is the usual 401, never a 503.
 */
import { describe, expect, it, vi } from 'vitest';
import { createAuthenticator, InvalidCredentialsError, type KeyStore } from '../src/index.js';
import { craftToken } from './support/fixtures.js';

function spyStore(): KeyStore & { findKey: ReturnType<typeof vi.fn> } {
  return {
    findKey: vi.fn(async () => undefined),
    appsFor: async () => [],
  };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;

describe('the key-id rule before the lookup', () => {
  it('refuses a Basic id over 256 characters as unknown, without a lookup', async () => {
    const store = spyStore();
    const authenticator = createAuthenticator({ store });
    const error = await authenticator
      .authenticate({ authorization: basic('a'.repeat(257), 'secret') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect((error as InvalidCredentialsError).reason).toBe('unknown_key');
    expect((error as InvalidCredentialsError).status).toBe(401);
    expect(store.findKey).not.toHaveBeenCalled();
  });

  it('still asks the store for an id of exactly 256 characters', async () => {
    const store = spyStore();
    const authenticator = createAuthenticator({ store });
    await expect(
      authenticator.authenticate({ authorization: basic('a'.repeat(256), 'secret') }),
    ).rejects.toMatchObject({ reason: 'unknown_key' });
    expect(store.findKey).toHaveBeenCalledWith('a'.repeat(256));
  });

  it.each([
    ['a NUL byte', 'app_\u0000x'],
    ['a C1 control', 'app_\u0085x'],
    ['300 characters', 'k'.repeat(300)],
  ])('refuses a JWT kid with %s as unknown, without a lookup', async (_label, kid) => {
    const store = spyStore();
    const authenticator = createAuthenticator({ store });
    const token = craftToken({ alg: 'HS256', kid }, { scope: 'app' }, 'any-secret');
    const error = await authenticator
      .authenticate({ authorization: `Bearer ${token}` })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, reason: 'unknown_key', code: 'unauthorized' });
    expect(store.findKey).not.toHaveBeenCalled();
  });
});
