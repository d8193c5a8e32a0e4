/**
 * Tests of the `keyscope` executable in child processes, on temporary keys files (see
 * `support.ts`: the built bin with `KEYSCOPE_CLI_BIN=dist`, else `src/cli.ts` through tsx): every
 * command and its help, exit codes 0/1/2, `KEYSCOPE_KEYS_FILE`; two writers running concurrently
 * (20 keys each, all 40 kept); and a running server (core's `openFileStore` + `createAuthenticator`
 * in this process) that sees a CLI revocation and a CLI rotation: the test waits for the store's
 * reload event (15 s at most) and prints how long it took, the contract's 2 s being a benchmark figure.
 */
import { access, constants, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  basicAuthorization,
  createAuthenticator,
  type FileKeyStore,
  type KeysDocument,
  openFileStore,
} from '@keyscope/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS, type KeyJson } from '../src/index.js';
import { BASE, BIN_MODE, bin, json, type TempKeys, tempKeys } from './support.js';

let keys: TempKeys;
let file: string;
let reader: FileKeyStore | undefined;

beforeEach(async () => {
  keys = await tempKeys();
  file = keys.file;
});
afterEach(async () => {
  reader?.close();
  reader = undefined;
  await keys.cleanup();
});

const run = (...argv: string[]) => bin(['--file', file, ...argv]);
const runJson = async <T = Record<string, unknown>>(...argv: string[]): Promise<T> => {
  const result = await bin(['--file', file, '--json', ...argv]);
  expect(result.code, result.stderr).toBe(0);
  return json<T>(result);
};
const onDisk = async () => JSON.parse(await readFile(file, 'utf8')) as KeysDocument;

describe(`the keyscope executable (${BIN_MODE})`, () => {
  it('prints help for every command and group, exit 0', async () => {
    const argvs = [
      ['--help'],
      ...['keys', 'apps', 'service-accounts', 'token', 'header'].map((group) => [group, '--help']),
      ...COMMANDS.map((command) => [...command.name.split(' '), '--help']),
    ];
    const results = await Promise.all(argvs.map((argv) => bin(argv)));
    results.forEach((result, i) => {
      expect(result.code, argvs[i]!.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^(Usage|keyscope): /);
      expect(result.stderr).toBe('');
    });
  });

  it('runs every command on a keys file', async () => {
    const fresh = `${keys.dir}/fresh.json`;
    expect(await bin(['init', '--file', fresh])).toEqual({
      code: 0,
      stdout: `Created an empty keys file: ${fresh}\n`,
      stderr: '',
    });
    expect(JSON.parse(await readFile(fresh, 'utf8')).keys).toEqual([]);

    expect((await run('apps', 'add', 'app_c', '--account', 'acc_3')).stdout).toBe(
      'Added app app_c to account acc_3.\n',
    );
    expect(await runJson('service-accounts', 'create', 'svc_ci', '--account', 'acc_1')).toEqual({
      serviceAccount: { id: 'svc_ci', accountId: 'acc_1', appIds: [] },
    });
    expect(await runJson('service-accounts', 'grant', 'svc_ci', '--app', 'app_b')).toEqual({
      serviceAccount: { id: 'svc_ci', accountId: 'acc_1', appIds: ['app_b'] },
    });

    const human = await run('keys', 'create', '--app', 'app_a', '--name', 'CI', '--expires', '30d');
    expect(human.code).toBe(0);
    const appKey = (await onDisk()).keys[0]!;
    expect(human.stdout).toContain(`Created key ${appKey.id} for app app_a.`);
    expect(human.stdout).toContain(
      `it cannot be shown again, so store it now):\n${appKey.secret}\n`,
    );
    const account = await runJson<{ key: KeyJson; secret: string }>(
      'keys',
      'create',
      '--account',
      'acc_1',
    );
    const service = await runJson<{ key: KeyJson; secret: string }>(
      'keys',
      'create',
      '--service-account',
      'svc_ci',
    );
    expect(account.key.id).toMatch(/^act_[0-9a-f]{24}$/);
    expect(service.key.id).toMatch(/^svc_[0-9a-f]{24}$/);

    const list = await run('keys', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+ENTITY\s+NAME\s+CREATED\s+EXPIRES\s+STATE$/);
    for (const secret of [appKey.secret, account.secret, service.secret]) {
      expect(list.stdout).not.toContain(secret);
    }
    const listed = await runJson<{ keys: KeyJson[] }>('keys', 'list');
    expect(listed.keys.map((k) => k.id)).toEqual([appKey.id, account.key.id, service.key.id]);

    // Credentials minted by the CLI authenticate through core.
    reader = await openFileStore(file, { watch: false });
    const authenticator = createAuthenticator({ store: reader });
    const token = await run(
      'token',
      'sign',
      '--key',
      appKey.id,
      '--scope',
      'appUser',
      '--user',
      'u1',
    );
    expect(token.code).toBe(0);
    expect(
      await authenticator.authenticate({ authorization: `Bearer ${token.stdout.trim()}` }),
    ).toMatchObject({ scope: 'appUser', appId: 'app_a', userId: 'u1' });
    const header = await run('header', 'basic', '--key', service.key.id);
    expect(await authenticator.authenticate({ authorization: header.stdout.trim() })).toMatchObject(
      { scope: 'account', accountId: 'acc_1' },
    );

    const rotated = await runJson<{ key: KeyJson; secret: string; replaces: KeyJson }>(
      'keys',
      'rotate',
      appKey.id,
    );
    expect(rotated.replaces.id).toBe(appKey.id);
    expect(rotated.key).toMatchObject({ entity: { type: 'app', id: 'app_a' }, name: 'CI' });
    expect((await run('keys', 'revoke', appKey.id)).stdout).toMatch(
      new RegExp(`^Revoked key ${appKey.id} \\(app app_a\\) at `),
    );
    expect(await runJson('keys', 'delete', account.key.id)).toEqual({
      deleted: expect.objectContaining({ id: account.key.id }),
    });
    expect((await onDisk()).keys.map((k) => [k.id, k.revokedAt !== undefined])).toEqual([
      [appKey.id, true],
      [service.key.id, false],
      [rotated.key.id, false],
    ]);
  });

  it('exits 1 with one line for usage and validation errors', async () => {
    for (const argv of [
      ['keys'],
      ['keys', 'create', '--app', 'app_nope'],
      ['keys', 'revoke', 'app_nope'],
      ['token', 'sign', '--key', 'k'],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^keyscope: [^\n]+\n$/);
    }
    const none = await bin(['keys', 'list']);
    expect(none).toMatchObject({
      code: 1,
      stderr:
        'keyscope: no store: pass --file <path> or --store postgres://..., or set KEYSCOPE_KEYS_FILE or KEYSCOPE_STORE\n',
    });
  });

  it('exits 2 for store errors: a missing or corrupt file, left as it is', async () => {
    const missing = await bin(['keys', 'list', '--file', `${keys.dir}/none.json`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the keys file (ENOENT)');
    await writeFile(file, '{"version":1,"apps":[');
    const corrupt = await run('--json', 'keys', 'create', '--app', 'app_a');
    expect(corrupt.code).toBe(2);
    expect(JSON.parse(corrupt.stderr).error.code).toBe('ERR_KEYS_FILE');
    expect(await readFile(file, 'utf8')).toBe('{"version":1,"apps":[');
  });

  it('takes the file from KEYSCOPE_KEYS_FILE', async () => {
    const created = await bin(['keys', 'create', '--app', 'app_b', '--json'], {
      env: { KEYSCOPE_KEYS_FILE: file },
    });
    expect(created.code).toBe(0);
    expect((await onDisk()).keys[0]!.id).toBe(json<{ key: KeyJson }>(created).key.id);
  });

  it.runIf(BIN_MODE === 'dist')('is an executable ESM file with a node shebang', async () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const text = await readFile(cli, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).toMatch(/^import .* from ['"]@keyscope\/core['"];$/m);
    await access(cli, constants.X_OK);
  });
});

describe('concurrent writers', () => {
  it('two writers creating 20 keys each, at the same time: all 40 are kept', async () => {
    const writer = async (account: string) => {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const result = await bin([
          '--file',
          file,
          '--json',
          'keys',
          'create',
          '--account',
          account,
        ]);
        expect(result.code, result.stderr).toBe(0);
        ids.push(json<{ key: KeyJson }>(result).key.id);
      }
      return ids;
    };
    const [first, second] = await Promise.all([writer('acc_w1'), writer('acc_w2')]);
    const doc = await onDisk();
    expect(doc.keys).toHaveLength(40);
    expect(new Set(doc.keys.map((k) => k.id)).size).toBe(40);
    expect(doc.keys.map((k) => k.id).sort()).toEqual([...first!, ...second!].sort());
    expect(doc.apps).toEqual(BASE.apps);
  }, 120_000);
});

describe('a running server', () => {
  /** The reloads of the running server's store, each handed to the waiters of `reloadWhere`. */
  let waiters: ((document: KeysDocument) => void)[] = [];
  async function server() {
    waiters = [];
    reader = await openFileStore(file, {
      onReloadError: () => {},
      onReload: (document) => {
        for (const waiter of waiters) waiter(document);
      },
    });
    return createAuthenticator({ store: reader });
  }
  /**
   * Resolves when the server's store reloads a document that `matches` (call it before the change
   * so that no reload is missed); rejects after a generous 15 s, far past the contract's 2 s.
   */
  function reloadWhere(matches: (document: KeysDocument) => boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the change never reached the server')),
        15_000,
      );
      waiters.push((document) => {
        if (!matches(document)) return;
        clearTimeout(timer);
        resolve(performance.now());
      });
    });
  }
  /** Prints when the server saw the change, against the command's exit (a figure, not a bound). */
  const report = (what: string, reloadedAt: number, exitedAt: number) => {
    const ms = Math.round(reloadedAt - exitedAt);
    console.log(
      `[cli] ${what}: the running server reloaded ${Math.abs(ms)} ms ${ms < 0 ? 'before' : 'after'} the command exited`,
    );
  };
  const authorization = (key: { id: string }, secret: string) =>
    basicAuthorization({ id: key.id, secret });
  const revokedIn = (id: string) => (document: KeysDocument) =>
    document.keys.some((k) => k.id === id && k.revokedAt);

  it('refuses a key once a CLI revoke reaches it (contract: within 2 s; measured and printed)', async () => {
    const { key, secret } = await runJson<{ key: KeyJson; secret: string }>(
      'keys',
      'create',
      '--app',
      'app_a',
    );
    const authenticator = await server();
    await expect(
      authenticator.authenticate({ authorization: authorization(key, secret) }),
    ).resolves.toMatchObject({ keyId: key.id });
    const reloaded = reloadWhere(revokedIn(key.id));
    const revoke = await run('keys', 'revoke', key.id);
    const exitedAt = performance.now();
    expect(revoke.code).toBe(0);
    report('keys revoke', await reloaded, exitedAt);
    await expect(
      authenticator.authenticate({ authorization: authorization(key, secret) }),
    ).rejects.toMatchObject({ status: 401, reason: 'key_revoked' });
  });

  it('accepts the new key of a CLI rotation once it reaches it, the old one until it is revoked', async () => {
    const old = await runJson<{ key: KeyJson; secret: string }>(
      'keys',
      'create',
      '--account',
      'acc_1',
    );
    const authenticator = await server();
    const before = (await onDisk()).keys.length;
    let reloaded = reloadWhere((document) => document.keys.length > before);
    const rotated = await runJson<{ key: KeyJson; secret: string }>('keys', 'rotate', old.key.id);
    const rotatedAt = performance.now();
    report('keys rotate', await reloaded, rotatedAt);
    await expect(
      authenticator.authenticate({ authorization: authorization(rotated.key, rotated.secret) }),
    ).resolves.toMatchObject({ keyId: rotated.key.id });
    await expect(
      authenticator.authenticate({ authorization: authorization(old.key, old.secret) }),
    ).resolves.toMatchObject({ scope: 'account' });
    reloaded = reloadWhere(revokedIn(old.key.id));
    expect((await run('keys', 'revoke', old.key.id)).code).toBe(0);
    const revokedAt = performance.now();
    report('keys revoke', await reloaded, revokedAt);
    await expect(
      authenticator.authenticate({ authorization: authorization(old.key, old.secret) }),
    ).rejects.toMatchObject({ reason: 'key_revoked' });
    await expect(
      authenticator.authenticate({ authorization: authorization(rotated.key, rotated.secret) }),
    ).resolves.toMatchObject({ keyId: rotated.key.id });
  });
});
