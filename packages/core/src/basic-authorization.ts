/**
 * Builds the value of an `Authorization: Basic` field for a key (RFC 7617): `Basic ` and the
 * canonical base64 of the UTF-8 text `id:secret`. For clients, SDK back ends and tests. It refuses
 * what the parser would refuse, so a header it returns always reaches the verifier: an id that is
 * empty or holds a colon (the split is at the first colon), control characters or lone surrogates
 * in the id or the secret, an empty secret, and a value longer than the 8 KiB limit.
 */
import { InvalidArgumentError } from './lifecycle-errors.js';
import { MAX_AUTHORIZATION_LENGTH } from './parse-authorization.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 7617 forbids control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The credentials of a key: its id and its secret.
 *
 * @example
 * ```ts
 * const credentials: BasicCredentials = { id: key.id, secret: key.secret };
 * ```
 */
export interface BasicCredentials {
  readonly id: string;
  readonly secret: string;
}

/**
 * Returns the `Authorization` field value for Basic authentication with a key.
 *
 * @throws {InvalidArgumentError} the id is empty or holds a `:`, the id or the secret holds a
 * control character or a lone surrogate, the secret is empty, or the value would pass 8 KiB. The
 * message never contains the secret.
 * @example
 * ```ts
 * import { basicAuthorization } from '@keyscope/core';
 *
 * const response = await fetch('https://api.example.com/v2/whoami', {
 *   headers: { authorization: basicAuthorization({ id: process.env.KEY_ID!, secret: process.env.KEY_SECRET! }) },
 * });
 * ```
 */
export function basicAuthorization(credentials: BasicCredentials): string {
  const { id, secret } = credentials ?? ({} as Partial<BasicCredentials>);
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError('the key id must be a non-empty string');
  }
  if (id.includes(':')) throw new InvalidArgumentError('the key id may not contain ":"');
  if (CONTROL.test(id) || LONE_SURROGATE.test(id)) {
    throw new InvalidArgumentError(
      'the key id may not contain control characters or lone surrogates',
    );
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new InvalidArgumentError('the secret must be a non-empty string');
  }
  if (CONTROL.test(secret) || LONE_SURROGATE.test(secret)) {
    throw new InvalidArgumentError(
      'the secret may not contain control characters or lone surrogates',
    );
  }
  const value = `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
  if (value.length > MAX_AUTHORIZATION_LENGTH) {
    throw new InvalidArgumentError(
      `the header value would be longer than ${MAX_AUTHORIZATION_LENGTH} characters`,
    );
  }
  return value;
}
