/**
 * The fuzzer's oracle: from the `Authorization` field values a request carried, and nothing of
 * keyscope's code, it decides whether the contract (sections 2 and 4) makes them a credential that
 * authenticates. Mutations that keep a credential valid (the scheme's case, spaces around the
 * value or after the scheme, the header name's case) are recognised as such; everything else must
 * be refused. The checks are written from the contract and RFC 7515/7519/7617, independently of
 * `packages/core`, so that the fuzzer and the server can disagree.
 */
import { timingSafeEqual } from 'node:crypto';
import { type FuzzKey, type FuzzKeys, sign } from './credentials.js';

/** What a request's credentials are, by the contract. */
export type Verdict =
  | { readonly kind: 'valid'; readonly key: FuzzKey }
  | { readonly kind: 'invalid' }
  /** Either answer is right (a value the HTTP parser may refuse or normalise): only never a 5xx. */
  | { readonly kind: 'either' };

const INVALID: Verdict = { kind: 'invalid' };
const FIELD = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) +([A-Za-z0-9\-._~+/]+=*)$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 7617 forbids control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const FORBIDDEN = ['crit', 'jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const MAX_TIME = 8.64e12;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** JSON segments are decoded as JOSE libraries do: replacement characters, a leading BOM dropped. */
const lenient = new TextDecoder();

const own = (object: object, name: string) => Object.hasOwn(object, name);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The verdict for the `Authorization` values of one request (`undefined`: the header was absent).
 * `now` is the server's clock in ms; time claims near it are never generated, so a little skew
 * between the fuzzer and the server does not matter.
 */
export function judge(
  fields: readonly string[] | undefined,
  keys: FuzzKeys,
  now = Date.now(),
): Verdict {
  if (fields === undefined || fields.length !== 1) return INVALID;
  // The HTTP parser strips the optional whitespace (SP, HTAB) around a field value.
  const value = (fields[0] as string).replace(/^[ \t]+|[ \t]+$/g, '');
  const match = FIELD.exec(value);
  if (match === null) return INVALID;
  const scheme = (match[1] as string).toLowerCase();
  const token = match[2] as string;
  if (scheme === 'basic') return judgeBasic(token, keys);
  if (scheme === 'bearer') return judgeJwt(token, keys, now);
  return INVALID;
}

function usable(key: FuzzKey | undefined): key is FuzzKey {
  return key !== undefined && key.refused === undefined;
}

function judgeBasic(token: string, keys: FuzzKeys): Verdict {
  const bytes = Buffer.from(token, 'base64');
  if (bytes.toString('base64') !== token) return INVALID;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return INVALID;
  }
  if (CONTROL.test(text)) return INVALID;
  const colon = text.indexOf(':');
  if (colon < 1) return INVALID;
  const key = keys.byId.get(text.slice(0, colon));
  if (!usable(key) || text.slice(colon + 1) !== key.secret) return INVALID;
  return { kind: 'valid', key };
}

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(lenient.decode(Buffer.from(segment, 'base64url')));
  } catch {
    return undefined;
  }
}

function judgeJwt(token: string, keys: FuzzKeys, now: number): Verdict {
  const segments = token.split('.');
  if (segments.length !== 3) return INVALID;
  for (const segment of segments) {
    if (!BASE64URL.test(segment)) return INVALID;
    if (Buffer.from(segment, 'base64url').toString('base64url') !== segment) return INVALID;
  }
  const [h, p, s] = segments as [string, string, string];
  const header = parseJson(h);
  if (!isPlainObject(header)) return INVALID;
  if (FORBIDDEN.some((name) => own(header, name))) return INVALID;
  if (!own(header, 'alg') || header.alg !== 'HS256') return INVALID;
  const kid = own(header, 'kid') ? header.kid : undefined;
  if (typeof kid !== 'string' || kid === '') return INVALID;
  if (own(header, 'typ')) {
    const typ = header.typ;
    if (typeof typ !== 'string') return INVALID;
    const t = typ.toLowerCase();
    if (t !== 'jwt' && t !== 'application/jwt') return INVALID;
  }
  const key = keys.byId.get(kid);
  if (!usable(key)) return INVALID;
  const expected = Buffer.from(sign(`${h}.${p}`, key.secret), 'base64url');
  const actual = Buffer.from(s, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return INVALID;

  const claims = parseJson(p);
  if (!isPlainObject(claims)) return INVALID;
  const seconds = Math.floor(now / 1000);
  for (const name of ['exp', 'nbf', 'iat']) {
    if (!own(claims, name)) continue;
    const value = claims[name];
    if (typeof value !== 'number' || !(Math.abs(value) <= MAX_TIME)) return INVALID;
  }
  if (own(claims, 'exp') && (claims.exp as number) <= seconds) return INVALID;
  if (own(claims, 'nbf') && (claims.nbf as number) > seconds) return INVALID;
  if (own(claims, 'iat') && (claims.iat as number) > now / 1000) return INVALID;

  const scope = own(claims, 'scope') ? claims.scope : undefined;
  const nonEmpty = (name: string) =>
    own(claims, name) && typeof claims[name] === 'string' && claims[name] !== '';
  const granted =
    key.type === 'app'
      ? scope === 'app' ||
        (scope === 'appUser' && nonEmpty('userId')) ||
        (scope === 'user' && nonEmpty('external_id'))
      : scope === 'account';
  return granted ? { kind: 'valid', key } : INVALID;
}
