/**
 * Parses the `Authorization` field (RFC 9110 section 11, RFC 7617, RFC 6750) into Basic
 * credentials or a Bearer token, refusing anything outside the grammar. The work done is bounded:
 * a value over the length limit is refused before any decoding, and every step is linear.
 */
import { isAscii } from 'node:buffer';
import { createRefusals, type Refusals } from './challenge.js';

/** The largest `Authorization` value accepted by default: 8 KiB. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

/**
 * The outcome of parsing: no credentials, Basic credentials, or a Bearer token.
 *
 * @example
 * ```ts
 * const parsed = parseAuthorization('Basic YXBwX2E6czNjcmV0');
 * if (parsed.scheme === 'basic') console.log(parsed.keyId);
 * ```
 */
export type ParsedAuthorization =
  | { readonly scheme: 'none' }
  | { readonly scheme: 'basic'; readonly keyId: string; readonly secret: string }
  | { readonly scheme: 'bearer'; readonly token: string };

/** Options of {@link parseAuthorization}. */
export interface ParseAuthorizationOptions {
  /** Longest accepted value, in characters (default and maximum 8192). */
  readonly maxLength?: number;
  /** Realm for the challenges of the errors thrown (default `keyscope`). */
  readonly realm?: string;
  /** Prepared refusals; takes precedence over `realm`. */
  readonly refusals?: Refusals;
}

const SCHEME_AND_REST = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: +([\s\S]*))?$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 7617 forbids control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The value of each base64 character, by char code. */
const SEXTET = new Uint8Array(128);
for (const [i, c] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
].entries()) {
  SEXTET[c.charCodeAt(0)] = i;
}
let defaultRefusals: Refusals | undefined;

/**
 * Parses every raw `Authorization` value of a request.
 *
 * - No value (or an empty list): `{ scheme: 'none' }`.
 * - More than one value, a value over `maxLength`, or anything but exactly one token68 after the
 *   scheme and its spaces: `MalformedAuthorizationError` (400).
 * - A scheme other than Basic or Bearer: `CredentialsRequiredError` (401).
 * - Basic credentials that are not canonical base64 of UTF-8 text without control characters,
 *   lack a colon, or have an empty key id: `InvalidCredentialsError` (401, reason `malformed_basic`).
 *
 * @throws {MalformedAuthorizationError | CredentialsRequiredError | InvalidCredentialsError}
 * @example
 * ```ts
 * parseAuthorization('Bearer eyJhbGciOi...'); // { scheme: 'bearer', token: 'eyJhbGciOi...' }
 * parseAuthorization(['Basic a', 'Basic b']); // throws MalformedAuthorizationError
 * ```
 */
export function parseAuthorization(
  value: string | readonly string[] | undefined,
  options: ParseAuthorizationOptions = {},
): ParsedAuthorization {
  const refuse = options.refusals ?? refusalsFor(options.realm);
  let field: string | undefined;
  if (typeof value === 'string') field = value;
  else if (Array.isArray(value)) {
    if (value.length > 1) throw refuse.malformed('multiple_headers');
    field = value[0];
  }
  if (field === undefined) return { scheme: 'none' };
  if (typeof field !== 'string') throw refuse.malformed('malformed_header');
  if (
    field.length > Math.min(options.maxLength ?? MAX_AUTHORIZATION_LENGTH, MAX_AUTHORIZATION_LENGTH)
  ) {
    throw refuse.malformed('header_too_long');
  }
  const trimmed = trimOws(field);
  let scheme: string;
  let credentials: string | undefined;
  // The usual spellings, one space: what the grammar below gives, without running it.
  if (trimmed.startsWith('Bearer ') && trimmed.charCodeAt(7) !== 0x20) {
    scheme = 'bearer';
    credentials = trimmed.slice(7);
  } else if (trimmed.startsWith('Basic ') && trimmed.charCodeAt(6) !== 0x20) {
    scheme = 'basic';
    credentials = trimmed.slice(6);
  } else {
    const match = SCHEME_AND_REST.exec(trimmed);
    if (match === null) throw refuse.malformed('malformed_header');
    scheme = (match[1] as string).toLowerCase();
    credentials = match[2];
  }
  if (scheme !== 'basic' && scheme !== 'bearer') throw refuse.required('unsupported_scheme');
  const method = scheme === 'basic' ? 'basic' : 'jwt';
  if (credentials === undefined || !TOKEN68.test(credentials)) {
    throw refuse.malformed('malformed_header', method);
  }
  if (scheme === 'bearer') return { scheme: 'bearer', token: credentials };

  const text = decodeBasic(credentials);
  const colon = text === undefined ? -1 : text.indexOf(':');
  if (text === undefined || colon < 1) throw refuse.invalid('basic', 'malformed_basic');
  return { scheme: 'basic', keyId: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function refusalsFor(realm: string | undefined): Refusals {
  if (realm !== undefined) return createRefusals(realm);
  defaultRefusals ??= createRefusals();
  return defaultRefusals;
}

/** Strips the optional whitespace (SP and HTAB) an HTTP parser strips around a field value. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  return value.slice(start, end);
}

/** Canonical base64 of UTF-8 text without control characters, or `undefined`. */
function decodeBasic(credentials: string): string | undefined {
  if (!BASE64.test(credentials)) return undefined;
  // Canonical form only: the unused bits of the last character before the padding must be zero
  // ("xx==" carries 4 of them, "xxx=" 2), as encoding the bytes again would give.
  const end = credentials.length;
  if (credentials.endsWith('==')) {
    if ((SEXTET[credentials.charCodeAt(end - 3)] as number) & 0b1111) return undefined;
  } else if (credentials.endsWith('=')) {
    if ((SEXTET[credentials.charCodeAt(end - 2)] as number) & 0b11) return undefined;
  }
  const bytes = Buffer.from(credentials, 'base64');
  let text: string;
  if (isAscii(bytes)) {
    text = bytes.toString('latin1');
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      return undefined;
    }
  }
  return CONTROL.test(text) ? undefined : text;
}
