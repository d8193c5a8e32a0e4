/**
 * Reading the `Cookie` request header and writing `Set-Cookie` values, without a dependency: the
 * dashboard sets only its own two cookies (the session and the sign-in form token), always
 * HttpOnly and SameSite=Strict, scoped to the path it is mounted at, and Secure behind TLS.
 */

/** How a cookie is written. */
export interface CookieOptions {
  /** The path the cookie is sent to: the dashboard's mount path. */
  readonly path: string;
  /** Add `Secure` (the request came over TLS, or the app forces it). */
  readonly secure: boolean;
  /** Lifetime in seconds; omitted: a browser-session cookie; 0: delete it. */
  readonly maxAge?: number | undefined;
}

/** The value of the cookie `name` in a `Cookie` header, if it is there exactly once. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    // Two cookies of one name (one planted for a wider path, say): trust neither.
    if (found !== undefined) return undefined;
    found = part.slice(eq + 1).trim();
  }
  return found !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(found) ? found : undefined;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, the given path, Secure when asked. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAge !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
