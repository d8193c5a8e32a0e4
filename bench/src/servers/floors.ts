/**
 * The physical floor of each check: the least work a correct Basic or HS256 verification can do
 * (parse, look the key up, one constant-time comparison or one HMAC), and a minimal jose
 * middleware that imports one CryptoKey per kid. Benchmarks quote keyscope as a ratio to these.
 */
import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { BenchKey } from './shared.ts';

export function floorBasic(keys: Map<string, BenchKey>) {
  return (header: string | undefined): boolean => {
    if (!header?.startsWith('Basic ')) return false;
    const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = text.indexOf(':');
    const key = keys.get(text.slice(0, colon));
    if (!key) return false;
    const given = Buffer.from(text.slice(colon + 1));
    const wanted = Buffer.from(key.secret);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  };
}

export function floorHs256(keys: Map<string, BenchKey>) {
  return (header: string | undefined): boolean => {
    if (!header?.startsWith('Bearer ')) return false;
    const token = header.slice(7);
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) return false;
    const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as {
      alg?: string;
      kid?: string;
    };
    if (head.alg !== 'HS256' || !head.kid) return false;
    const key = keys.get(head.kid);
    if (!key) return false;
    const mac = createHmac('sha256', key.secret).update(`${h}.${p}`).digest();
    const sig = Buffer.from(s, 'base64url');
    if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) return false;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { exp?: number };
    return claims.exp === undefined || claims.exp > Date.now() / 1000;
  };
}

export function joseMinimal(keys: Map<string, BenchKey>) {
  const imported = new Map<string, Promise<webcrypto.CryptoKey>>();
  const keyFor = (kid: string, secret: string) => {
    let key = imported.get(kid);
    if (!key) {
      key = webcrypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      );
      imported.set(kid, key);
    }
    return key;
  };
  return async (header: string | undefined): Promise<boolean> => {
    if (!header?.startsWith('Bearer ')) return false;
    try {
      await jwtVerify(
        header.slice(7),
        async (protectedHeader) => {
          const key = protectedHeader.kid ? keys.get(protectedHeader.kid) : undefined;
          if (!key) throw new Error('unknown key');
          return keyFor(key.id, key.secret);
        },
        { algorithms: ['HS256'] },
      );
      return true;
    } catch {
      return false;
    }
  };
}
