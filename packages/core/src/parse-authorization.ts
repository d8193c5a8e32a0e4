/**
 * Parses the `Authorization` field (RFC 9110 section 11, RFC 7617, RFC 6750) into Basic
 * credentials or a Bearer token, refusing anything outside the grammar. The work done is bounded:
 * a value over the length limit is refused before any decoding, and every step is linear.
 */
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
  const match = SCHEME_AND_REST.exec(trimOws(field));
  if (match === null) throw refuse.malformed('malformed_header');
  const scheme = (match[1] as string).toLowerCase();
  const credentials = match[2];
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
  const bytes = Buffer.from(credentials, 'base64');
  // Canonical form only: the unused bits of the last character must be zero.
  if (bytes.toString('base64') !== credentials) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return CONTROL.test(text) ? undefined : text;
}
