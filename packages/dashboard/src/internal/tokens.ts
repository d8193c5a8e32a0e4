/**
 * Random tokens and their comparison: session ids and CSRF tokens are 32 random bytes, base64url;
 * two tokens are compared as SHA-256 digests with `timingSafeEqual`, so the comparison takes the
 * same time whatever the lengths and contents.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 digest of a text. */
export function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Whether `given` equals `expected`, in constant time. `given` may be anything a form sent. */
export function sameToken(given: unknown, expected: string): boolean {
  const text = typeof given === 'string' ? given : '';
  const match = timingSafeEqual(digest(text), digest(expected));
  return match && text.length > 0;
}
