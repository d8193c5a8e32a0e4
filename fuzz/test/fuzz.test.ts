/**
 * The fuzzer in the test suite: its oracle on known credentials (the valid ones and their
 * equivalent spellings are valid, mutations are not), and a smaller run of `pnpm fuzz` (1 000
 * cases, each sent to the Express and the Koa example server: 2 000 requests over real HTTP) that
 * must pass every check. The run draws its cases from a fixed fast-check seed, so the thresholds
 * on what it drew hold on every run; `KEYSCOPE_FC_SEED=<n>` draws from another. The seed is printed
 * with any failure, so `FUZZ_SEED=<seed> pnpm fuzz` replays it.
 */
import { describe, expect, it } from 'vitest';
import { b64url, createFuzzKeys, jws } from '../src/credentials.js';
import { runFuzz } from '../src/fuzz.js';
import { judge } from '../src/oracle.js';

/** The fast-check seed of the fuzz run: fixed unless `KEYSCOPE_FC_SEED` names another. */
const SEED = Number(process.env.KEYSCOPE_FC_SEED ?? 1_207_264);
if (!Number.isSafeInteger(SEED)) {
  throw new Error(`KEYSCOPE_FC_SEED must be an integer, not "${process.env.KEYSCOPE_FC_SEED}"`);
}

describe('the oracle', () => {
  const keys = createFuzzKeys();
  const appA = keys.keys.find((k) => k.name === 'appA')!;
  const basicA = keys.credentials.find((c) => c.label === 'basic:appA')!;
  const jwtA = keys.credentials.find((c) => c.label === 'jwt:appA:app')!;

  it('calls every unmodified credential valid, and those of refused keys invalid', () => {
    for (const c of keys.credentials) {
      expect(judge([`${c.scheme} ${c.token}`], keys).kind).toBe(c.valid ? 'valid' : 'invalid');
    }
  });

  it('knows the equivalent spellings: scheme case, spaces after the scheme, OWS around', () => {
    for (const value of [
      `bearer ${jwtA.token}`,
      `BEARER    ${jwtA.token}`,
      ` \tBearer ${jwtA.token}\t `,
      `bAsIc ${basicA.token}`,
    ]) {
      expect(judge([value], keys)).toEqual({ kind: 'valid', key: appA });
    }
  });

  it('refuses what the contract refuses', () => {
    const [h, p, s] = jwtA.token.split('.') as [string, string, string];
    for (const fields of [
      undefined,
      [],
      [`Bearer ${jwtA.token}`, `Bearer ${jwtA.token}`],
      [`Bearer\t${jwtA.token}`],
      [`Bearer${jwtA.token}`],
      [`Basic ${jwtA.token}`],
      [`Bearer ${basicA.token}`],
      [`Bearer ${jwtA.token}=`],
      [`Bearer ${h}.${p}.${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`],
      [`Bearer ${b64url({ alg: 'none', kid: appA.id })}.${p}.`],
      [
        `Bearer ${jws({ alg: 'HS256', kid: appA.id, crit: ['exp'] }, { scope: 'app' }, appA.secret)}`,
      ],
      [`Bearer ${jws({ alg: 'HS256', kid: appA.id }, { scope: 'account' }, appA.secret)}`],
      [
        `Bearer ${jws({ alg: 'HS256', kid: appA.id }, { scope: 'appUser', userId: '' }, appA.secret)}`,
      ],
      [`Bearer ${jws({ alg: 'HS256', kid: appA.id }, { scope: 'app', exp: 1 }, appA.secret)}`],
      [`Bearer ${jws({ alg: 'HS384', kid: appA.id }, { scope: 'app' }, appA.secret, 'sha384')}`],
      [`Basic ${Buffer.from(`${appA.id}:${appA.secret} `).toString('base64')}`],
      [`Basic ${basicA.token.replace(/=*$/, '')}`],
    ]) {
      expect(judge(fields, keys).kind).toBe('invalid');
    }
    expect(
      judge(
        [
          `Bearer ${jws({ alg: 'HS256', kid: appA.id }, { scope: 'appUser', userId: 'x' }, appA.secret)}`,
        ],
        keys,
      ).kind,
    ).toBe('valid');
  });
});

describe('a smaller fuzz run', () => {
  it('2 000 requests through the Express and Koa servers: every check passes', {
    timeout: 60_000,
  }, async () => {
    // Too short to judge memory (the servers are still warming up): `pnpm fuzz` does.
    const report = await runFuzz({
      cases: 1000,
      seed: SEED,
      concurrency: 8,
      maxRssGrowth: 256 * 1024 * 1024,
    });
    const summary = `seed ${report.seed}: ${JSON.stringify(report.failureCounts)} ${JSON.stringify(report.failures.slice(0, 5), null, 2)}`;
    expect(report.requests, summary).toBe(2000);
    expect(report.failures, summary).toEqual([]);
    console.log(
      `[fuzz] seed ${report.seed}: ${report.verdicts.valid} valid, ${Object.keys(report.byFamily).length} families`,
    );
    expect(report.seed).toBe(SEED);
    expect(report.passed).toBe(true);
    expect(report.verdicts.valid).toBeGreaterThan(20);
    expect(Object.keys(report.byFamily).length).toBeGreaterThan(10);
  });
});
