/**
 * The keys and credentials of one benchmark run, generated afresh each time (nothing secret is
 * committed): a temporary directory with a one-key keys file and a 10,001-key keys file, and the
 * `Authorization` values the load generator sends (Basic, a JWT reused by its client, a pool of
 * distinct JWTs for "new token on every request", Basic over 10,000 distinct keys). Tokens are
 * minted with `node:crypto` so that minting a pool of them takes well under a second per 100,000.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key of the generated keys files. */
export interface BenchKey {
  readonly id: string;
  readonly secret: string;
}

/** What a benchmark target is sent on its guarded route. */
export type Credential = 'basic' | 'jwt-reused' | 'jwt-new' | 'basic-10k';

/** A random key: `app_` + 24 hex digits, 32 random bytes of secret. */
export const newKey = (): BenchKey => ({
  id: `app_${randomBytes(12).toString('hex')}`,
  secret: randomBytes(32).toString('base64url'),
});

const b64url = (value: string) => Buffer.from(value).toString('base64url');

/** An HS256 JWT (compact form) signed with the key's secret, `kid` = the key id. */
export function mint(key: BenchKey, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.id }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', key.secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** `Basic base64(id:secret)`. */
export const basicHeader = (key: BenchKey): string =>
  `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`;

/** The fixtures of one run. */
export interface Fixtures {
  readonly dir: string;
  readonly key: BenchKey;
  /** Keys file holding `key` only. */
  readonly oneKeyFile: string;
  /** Keys file holding `key` and 10,000 more. */
  readonly manyKeysFile: string;
  /**
   * A source of `Authorization` values for a credential kind. Create one per target and keep it:
   * a `jwt-new` source never repeats a token until it has sent the whole pool.
   */
  headers(credential: Credential): () => string;
  /** A credential of the same kind that must be refused (wrong secret, bad signature). */
  wrong(credential: Credential): string;
}

/** Generates the keys files and credentials. `pool` is the number of distinct `jwt-new` tokens. */
export function createFixtures(pool = 150_000): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'keyscope-bench-'));
  const key = newKey();
  const many = Array.from({ length: 10_000 }, newKey);
  const keysFile = (name: string, keys: BenchKey[]) => {
    const file = join(dir, name);
    const doc = {
      version: 1,
      apps: [
        { id: 'app_a', accountId: 'acc_1' },
        { id: 'app_b', accountId: 'acc_1' },
      ],
      serviceAccounts: [],
      keys: keys.map((k) => ({ ...k, entity: { type: 'app', id: 'app_a' } })),
    };
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const oneKeyFile = keysFile('keys.json', [key]);
  const manyKeysFile = keysFile('keys-10k.json', [key, ...many]);
  const exp = Math.floor(Date.now() / 1000) + 6 * 3600;
  const basic = basicHeader(key);
  const reused = `Bearer ${mint(key, { scope: 'app', exp })}`;
  const manyBasic = many.map(basicHeader);
  let tokens: string[] | undefined;

  return {
    dir,
    key,
    oneKeyFile,
    manyKeysFile,
    headers(credential) {
      switch (credential) {
        case 'basic':
          return () => basic;
        case 'jwt-reused':
          return () => reused;
        case 'basic-10k': {
          let i = 0;
          return () => manyBasic[i++ % manyBasic.length] as string;
        }
        case 'jwt-new': {
          tokens ??= Array.from(
            { length: pool },
            (_, n) => `Bearer ${mint(key, { scope: 'app', exp, jti: n })}`,
          );
          const list = tokens;
          let i = 0;
          return () => list[i++ % list.length] as string;
        }
      }
    },
    wrong(credential) {
      if (credential === 'basic' || credential === 'basic-10k') {
        return basicHeader({ id: key.id, secret: `${key.secret.slice(0, -1)}x` });
      }
      return `Bearer ${mint({ id: key.id, secret: 'not-the-secret' }, { scope: 'app', exp })}`;
    },
  };
}
