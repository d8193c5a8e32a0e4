/**
 * Micro benchmarks (mitata): the cost of one verification through `@keyscope/core` (Basic, a JWT
 * seen before, a JWT seen for the first time), each as a ratio to a minimal `node:crypto` HMAC
 * check of the same token, measured in the same process, in the same run.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createAuthenticator, createMemoryStore } from '@keyscope/core';
import { measure } from 'mitata';

export async function runMicro(): Promise<{ name: string; ratio: number; ns: number }[]> {
  const key = {
    id: `app_${randomBytes(12).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
  const store = createMemoryStore({
    version: 1,
    apps: [{ id: 'app_a', accountId: 'acc_1' }],
    keys: [{ ...key, entity: { type: 'app', id: 'app_a' } }],
  });
  const authenticator = createAuthenticator({ store });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const mint = (claims: object) => {
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.id })).toString(
      'base64url',
    );
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${head}.${body}.${createHmac('sha256', key.secret).update(`${head}.${body}`).digest('base64url')}`;
  };
  const token = mint({ scope: 'app', exp });
  const fresh = Array.from(
    { length: 500_000 },
    (_, i) => `Bearer ${mint({ scope: 'app', exp, jti: i })}`,
  );
  let next = 0;
  const basic = `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`;
  const [h, p, s] = token.split('.') as [string, string, string];
  const expected = Buffer.from(s, 'base64url');

  const floor = await measure(() => {
    const mac = createHmac('sha256', key.secret).update(`${h}.${p}`).digest();
    return timingSafeEqual(mac, expected);
  });
  const cases: [string, () => unknown][] = [
    ['keyscope Basic', () => authenticator.authenticate({ authorization: basic })],
    [
      'keyscope JWT seen before',
      () => authenticator.authenticate({ authorization: `Bearer ${token}` }),
    ],
    [
      'keyscope JWT seen for the first time',
      () => authenticator.authenticate({ authorization: fresh[next++ % fresh.length] as string }),
    ],
  ];
  const rows = [{ name: 'minimal node:crypto HMAC check (baseline)', ratio: 1, ns: floor.avg }];
  for (const [name, fn] of cases) {
    const stats = await measure(fn);
    rows.push({ name, ratio: stats.avg / floor.avg, ns: stats.avg });
  }
  return rows;
}
