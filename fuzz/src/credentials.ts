/**
 * The keys and credentials a fuzz run works from: a keys document with secrets made fresh for the
 * run (nothing real, nothing committed), the valid credentials of its keys (Basic for each key,
 * HS256 JWTs for every scope the contract allows), a few that are well-formed but refused (revoked
 * and expired keys), and the JWS helpers to re-sign mutated tokens. Tokens are built with
 * node:crypto, so that headers jose would never write (odd `alg`, `crit`, duplicate keys) can be.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** A key of the fuzz keys file. */
export interface FuzzKey {
  readonly name: string;
  readonly id: string;
  readonly secret: string;
  readonly type: 'app' | 'userAccount' | 'serviceAccount';
  readonly entityId: string;
  readonly refused?: 'revoked' | 'expired';
}

/** A credential and what it is: valid (must authenticate) or well-formed but refused. */
export interface BaseCredential {
  readonly label: string;
  readonly scheme: 'Basic' | 'Bearer';
  readonly token: string;
  readonly valid: boolean;
  readonly key: FuzzKey;
}

/** Everything a run needs about its keys. */
export interface FuzzKeys {
  readonly keys: readonly FuzzKey[];
  readonly byId: ReadonlyMap<string, FuzzKey>;
  readonly document: unknown;
  readonly credentials: readonly BaseCredential[];
  /** Every secret, to prove none is echoed or logged. */
  readonly secrets: readonly string[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** base64url of UTF-8 text or JSON. */
export function b64url(part: string | object): string {
  return Buffer.from(typeof part === 'string' ? part : JSON.stringify(part), 'utf8').toString(
    'base64url',
  );
}

/** HMAC signature (base64url) of `input` with `secret`. */
export function sign(
  input: string,
  secret: string,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  return createHmac(hash, secret).update(input).digest('base64url');
}

/** A JWS compact token from header and payload (objects or raw JSON text). */
export function jws(
  header: string | object,
  payload: string | object,
  secret: string,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign(input, secret, hash)}`;
}

/**
 * Makes the keys of one run: app keys of `app_a` and `app_b`, a user-account key of `acc_1`, a
 * service-account key of `svc_1` (granted `app_a`), a key whose secret is not ASCII, and a revoked
 * and an expired key of `app_a`.
 */
export function createFuzzKeys(now = Date.now()): FuzzKeys {
  const key = (
    name: string,
    prefix: string,
    type: FuzzKey['type'],
    entityId: string,
    extra: Partial<FuzzKey> = {},
  ): FuzzKey => ({
    name,
    id: `${prefix}_${hex(12)}`,
    secret: `fuzz-${name}-secret-${hex(16)}-not-for-production`,
    type,
    entityId,
    ...extra,
  });
  const keys: FuzzKey[] = [
    key('appA', 'app', 'app', 'app_a'),
    key('appB', 'app', 'app', 'app_b'),
    key('account', 'act', 'userAccount', 'acc_1'),
    key('service', 'svc', 'serviceAccount', 'svc_1'),
    { ...key('unicode', 'app', 'app', 'app_b'), secret: `fuzz-sécret-ünïcode-✓-${hex(8)}` },
    key('revoked', 'app', 'app', 'app_a', { refused: 'revoked' }),
    key('expired', 'app', 'app', 'app_a', { refused: 'expired' }),
  ];
  const document = {
    version: 1,
    apps: [
      { id: 'app_a', accountId: 'acc_1' },
      { id: 'app_b', accountId: 'acc_1' },
    ],
    serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
    keys: keys.map((k) => ({
      id: k.id,
      secret: k.secret,
      entity: { type: k.type, id: k.entityId },
      ...(k.refused === 'revoked' && { revokedAt: '2020-01-01T00:00:00Z' }),
      ...(k.refused === 'expired' && { expiresAt: '2020-01-01T00:00:00Z' }),
    })),
  };
  const exp = Math.floor(now / 1000) + 24 * 3600;
  const iat = Math.floor(now / 1000) - 60;
  const credentials: BaseCredential[] = [];
  for (const k of keys) {
    const valid = k.refused === undefined;
    credentials.push({
      label: `basic:${k.name}`,
      scheme: 'Basic',
      token: Buffer.from(`${k.id}:${k.secret}`, 'utf8').toString('base64'),
      valid,
      key: k,
    });
    const header = { alg: 'HS256', typ: 'JWT', kid: k.id };
    const claims: Record<string, unknown>[] =
      k.type === 'app'
        ? [
            { scope: 'app', iat, exp },
            { scope: 'appUser', userId: 'u1', iat, exp },
            { scope: 'user', external_id: 'ext-1', exp },
          ]
        : [{ scope: 'account', iat, exp }];
    for (const payload of claims) {
      credentials.push({
        label: `jwt:${k.name}:${payload.scope}`,
        scheme: 'Bearer',
        token: jws(header, payload, k.secret),
        valid,
        key: k,
      });
    }
  }
  return {
    keys,
    byId: new Map(keys.map((k) => [k.id, k])),
    document,
    credentials,
    secrets: keys.map((k) => k.secret),
  };
}
