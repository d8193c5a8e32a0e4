/**
 * The `keyscope` command on a PostgreSQL store (issue 8), against the real server of
 * `KEYSCOPE_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`), each run in its own random
 * schemas, dropped afterwards; skipped with a notice when no server answers (a failure under
 * `CI=true`), as the `@keyscope/postgres` suites are. Through the executable: `migrate`, every
 * command with `--store` or `KEYSCOPE_STORE` (apps, service accounts, keys create/list/rotate/
 * revoke, token sign, header basic; the credentials checked by core on the same database), and
 * `keys reencrypt` in a master key rotation. In-process (`runCli`, where a child process adds
 * nothing): the checks around them, the store settings that are refused (exit 1) or fail (exit
 * 2), never repeating a URL's password, and `init --store`.
 */
import { createAuthenticator, type KeyStore } from '@keyscope/core';
import { openPostgresStore } from '@keyscope/postgres';
import { afterAll, expect, it } from 'vitest';
import {
  describePg,
  masterKeyList,
  uniqueName,
  urlFor,
  useSchema,
} from '../../postgres/test/support/pg.js';
import type { KeyJson } from '../src/index.js';
import { bin, cli, json, type Result } from './support.js';

type Created = { key: KeyJson; secret: string };

/** A URL with a password, to prove no message repeats it. */
const WITH_PASSWORD = 'postgres://keyscope:hunter2-db-password@127.0.0.1:1/test';

describePg('keyscope on PostgreSQL', () => {
  // The schema of most tests, migrated before them by the support; the others start empty.
  const db = useSchema('ks_cli');
  const fresh = uniqueName('ks_cli_new');
  const initialized = uniqueName('ks_cli_init');
  const k1 = masterKeyList('k1');
  const env = () => ({ KEYSCOPE_STORE: db.url, KEYSCOPE_MASTER_KEY: k1.text });
  const stores: Array<{ close(): Promise<void> }> = [];

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    for (const schema of [fresh, initialized]) {
      await db.admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  /** The executable with the test's store and master key (`extra` added or overriding). */
  const run = (argv: readonly string[], extra: Record<string, string> = {}) =>
    bin(argv, { env: { ...env(), ...extra } });
  const ok = (result: Result): Result => {
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const runJson = async <T>(argv: readonly string[], extra: Record<string, string> = {}) =>
    json<T>(ok(await run([...argv, '--json'], extra)));
  /** The same command in-process (`runCli`), where the executable adds nothing to prove. */
  const local = (argv: readonly string[], extra: Record<string, string> = {}) =>
    cli(argv, { env: { ...env(), ...extra } });
  const localJson = async <T>(argv: readonly string[], extra: Record<string, string> = {}) =>
    json<T>(ok(await local([...argv, '--json'], extra)));

  /** What an API instance sees of the same database: core's authenticator on its own store. */
  async function authenticator() {
    const store = await openPostgresStore({
      connectionString: db.url,
      masterKeys: k1.keys,
      listen: false,
      cache: false,
    });
    stores.push(store);
    return createAuthenticator({ store: store as KeyStore });
  }

  it('migrate creates the schema, then finds nothing to do; commands before it exit 1', async () => {
    const url = urlFor(fresh);
    const early = await local(['keys', 'list', '--store', url]);
    expect(early.code).toBe(1);
    expect(early.stdout).toBe('');
    expect(early.stderr).toMatch(
      new RegExp(`^keyscope: the schema "${fresh}" is at version 0, .*run \`keyscope migrate`),
    );

    expect(ok(await run(['migrate', '--store', url])).stdout).toBe(
      `schema "${fresh}" migrated to version 1\n`,
    );
    // From KEYSCOPE_STORE, with no master key (migrate needs none).
    expect(await localJson(['migrate'], { KEYSCOPE_STORE: url, KEYSCOPE_MASTER_KEY: '' })).toEqual({
      schema: fresh,
      applied: [],
      version: 1,
    });
    expect(ok(await local(['keys', 'list', '--store', url])).stdout).toBe('No keys.\n');
  });

  it('runs every command on the database (KEYSCOPE_STORE and --store)', async () => {
    // Who the keys belong to.
    const [appA, , svc] = await Promise.all([
      run(['apps', 'add', 'app_a', '--account', 'acc_1']),
      local(['apps', 'add', 'app_b', '--account', 'acc_1', '--store', db.url]),
      runJson(['service-accounts', 'create', 'svc_ci', '--account', 'acc_1']),
    ]);
    expect(ok(appA).stdout).toBe('Added app app_a to account acc_1.\n');
    expect(svc).toEqual({ serviceAccount: { id: 'svc_ci', accountId: 'acc_1', appIds: [] } });

    // Keys of each kind, and a grant.
    const [grant, human, account, service] = await Promise.all([
      localJson(['service-accounts', 'grant', 'svc_ci', '--app', 'app_b']),
      run(['keys', 'create', '--app', 'app_a', '--name', 'CI', '--expires', '30d']),
      localJson<Created>(['keys', 'create', '--account', 'acc_1']),
      localJson<Created>(['keys', 'create', '--service-account', 'svc_ci', '--store', db.url]),
    ]);
    expect(grant).toEqual({
      serviceAccount: { id: 'svc_ci', accountId: 'acc_1', appIds: ['app_b'] },
    });
    ok(human);
    const appKeyId = /^Created key (app_[0-9a-f]{24}) for app app_a\.$/m.exec(human.stdout)?.[1];
    const appSecret = /store it now\):\n(\S+)\n$/.exec(human.stdout)?.[1];
    expect(appKeyId).toBeDefined();
    expect(appSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(account.key).toMatchObject({ entity: { type: 'userAccount', id: 'acc_1' } });
    expect(service.key).toMatchObject({ entity: { type: 'serviceAccount', id: 'svc_ci' } });

    // Listings (never a secret), and credentials minted from the stored (encrypted) secrets.
    const [list, listed, onlyApp, token, header] = await Promise.all([
      run(['keys', 'list']),
      localJson<{ keys: KeyJson[] }>(['keys', 'list']),
      localJson<{ keys: KeyJson[] }>(['keys', 'list', '--app', 'app_a']),
      run(['token', 'sign', '--key', appKeyId!, '--scope', 'appUser', '--user', 'u1']),
      run(['header', 'basic', '--key', service.key.id]),
    ]);
    expect(ok(list).stdout.split('\n')[0]).toMatch(
      /^ID\s+ENTITY\s+NAME\s+CREATED\s+EXPIRES\s+STATE$/,
    );
    for (const secret of [appSecret!, account.secret, service.secret]) {
      expect(list.stdout).not.toContain(secret);
      expect(JSON.stringify(listed)).not.toContain(secret);
    }
    // Created at the same time: in any order.
    expect(listed.keys.map((key) => `${key.id} ${key.state}`).sort()).toEqual(
      [`${appKeyId} active`, `${account.key.id} active`, `${service.key.id} active`].sort(),
    );
    expect(listed.keys.find((key) => key.id === appKeyId)).toMatchObject({
      name: 'CI',
      accountId: 'acc_1',
    });
    expect(onlyApp.keys.map((key) => key.id)).toEqual([appKeyId]);
    const auth = await authenticator();
    await expect(
      auth.authenticate({ authorization: `Bearer ${ok(token).stdout.trim()}` }),
    ).resolves.toMatchObject({ keyId: appKeyId, scope: 'appUser', appId: 'app_a', userId: 'u1' });
    expect(ok(header).stdout).toBe(
      `Basic ${Buffer.from(`${service.key.id}:${service.secret}`).toString('base64')}\n`,
    );
    await expect(auth.authenticate({ authorization: header.stdout.trim() })).resolves.toMatchObject(
      { scope: 'account', accountId: 'acc_1' },
    );

    // Rotate, revoke, delete.
    const [rotated, deleted] = await Promise.all([
      runJson<Created & { replaces: KeyJson }>(['keys', 'rotate', appKeyId!]),
      localJson<{ deleted: KeyJson }>(['keys', 'delete', account.key.id]),
    ]);
    expect(rotated.replaces.id).toBe(appKeyId);
    expect(rotated.key).toMatchObject({ entity: { type: 'app', id: 'app_a' }, name: 'CI' });
    expect(deleted.deleted.id).toBe(account.key.id);
    expect(ok(await run(['keys', 'revoke', appKeyId!])).stdout).toMatch(
      new RegExp(`^Revoked key ${appKeyId} \\(app app_a\\) at \\S+Z\\.\\n$`),
    );
    const after = await localJson<{ keys: KeyJson[] }>(['keys', 'list']);
    expect(after.keys.map((key) => `${key.id} ${key.state}`).sort()).toEqual(
      [`${appKeyId} revoked`, `${service.key.id} active`, `${rotated.key.id} active`].sort(),
    );
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    await expect(
      auth.authenticate({ authorization: basic(appKeyId!, appSecret!) }),
    ).rejects.toMatchObject({ status: 401, reason: 'key_revoked' });
    await expect(
      auth.authenticate({ authorization: basic(rotated.key.id, rotated.secret) }),
    ).resolves.toMatchObject({ keyId: rotated.key.id, scope: 'app' });

    // A master key rotation: k2 first, k1 after it; re-encrypt; then k2 alone reads everything.
    const k2 = masterKeyList('k2');
    const both = `${k2.text},${k1.text}`;
    expect(await runJson(['keys', 'reencrypt'], { KEYSCOPE_MASTER_KEY: both })).toEqual({
      masterKeyId: 'k2',
      reencrypted: 3,
      byMasterKey: { k2: 3 },
    });
    expect(ok(await local(['keys', 'reencrypt'], { KEYSCOPE_MASTER_KEY: both })).stdout).toBe(
      'Re-encrypted 0 secrets under master key k2. Secrets by master key: k2: 3.\n',
    );
    const [withK2, withK1] = await Promise.all([
      local(['header', 'basic', '--key', rotated.key.id, '--json'], {
        KEYSCOPE_MASTER_KEY: k2.text,
      }),
      local(['header', 'basic', '--key', rotated.key.id, '--json']),
    ]);
    expect(json(ok(withK2))).toEqual({
      header: basic(rotated.key.id, rotated.secret),
      keyId: rotated.key.id,
    });
    // k1 alone no longer decrypts it: a store error, without the secret.
    expect(withK1.code).toBe(2);
    expect(JSON.parse(withK1.stderr).error.code).toBe('ERR_STORE_CORRUPT');
    expect(withK1.stderr).not.toContain(rotated.secret);
  });

  it('refuses bad store settings (exit 1) and reports an unreachable database (exit 2), never repeating the URL', async () => {
    const { url } = db;
    const master = { KEYSCOPE_MASTER_KEY: k1.text };
    const cases: Array<[readonly string[], Record<string, string>, number, string, string]> = [
      [
        ['keys', 'list', '--file', 'keys.json', '--store', url],
        master,
        1,
        'ERR_USAGE',
        'give either --file or --store, not both',
      ],
      [
        ['keys', 'list', '--store', 'mysql://keyscope:hunter2-db-password@db/keys'],
        master,
        1,
        'ERR_USAGE',
        '--store must be a postgres:// or postgresql:// URL',
      ],
      [
        ['keys', 'list'],
        { ...master, KEYSCOPE_STORE: 'hunter2-db-password' },
        1,
        'ERR_USAGE',
        'KEYSCOPE_STORE must be a postgres:// or postgresql:// URL',
      ],
      [
        ['keys', 'list', '--store', url],
        {},
        1,
        'ERR_CONFIGURATION',
        'KEYSCOPE_MASTER_KEY is not set: give one master key',
      ],
      [
        ['keys', 'list', '--store', url],
        { KEYSCOPE_MASTER_KEY: 'k1:not-a-key' },
        1,
        'ERR_CONFIGURATION',
        'KEYSCOPE_MASTER_KEY: entry 1: a master key must be 32 bytes',
      ],
      [
        ['migrate', '--file', 'keys.json'],
        master,
        1,
        'ERR_USAGE',
        'migrate works on a PostgreSQL store: pass --store postgres://... or set KEYSCOPE_STORE',
      ],
      [
        ['keys', 'reencrypt'],
        { ...master, KEYSCOPE_KEYS_FILE: 'keys.json' },
        1,
        'ERR_USAGE',
        'keys reencrypt works on a PostgreSQL store',
      ],
      [
        ['keys', 'create', '--app', 'app_a', '--store', WITH_PASSWORD],
        master,
        2,
        'ERR_STORE_IO',
        'PostgreSQL key store: cannot connect: connect ECONNREFUSED 127.0.0.1:1',
      ],
      [
        ['migrate'],
        { KEYSCOPE_STORE: WITH_PASSWORD },
        2,
        'ERR_STORE_IO',
        'PostgreSQL key store: cannot connect to migrate the schema',
      ],
    ];
    for (const [argv, env, code, errorCode, message] of cases) {
      const result = await cli([...argv, '--json'], { env });
      expect(result.code, argv.join(' ')).toBe(code);
      expect(result.stdout).toBe('');
      const error = JSON.parse(result.stderr).error;
      expect(error.code, argv.join(' ')).toBe(errorCode);
      expect(error.message).toContain(message);
      expect(result.stderr).not.toContain('hunter2');
    }
    // In words, without --json.
    const human = await cli(['keys', 'list', '--store', WITH_PASSWORD], { env: master });
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/^keyscope: PostgreSQL key store: cannot connect: [^\n]+\n$/);
    expect(human.stderr).not.toContain('hunter2');
  });

  it('chooses the store: --file and --store beat the environment, KEYSCOPE_STORE beats KEYSCOPE_KEYS_FILE', async () => {
    const master = { KEYSCOPE_MASTER_KEY: k1.text };
    const missingFile = '/nonexistent/keyscope/keys.json';
    // KEYSCOPE_STORE wins over KEYSCOPE_KEYS_FILE: the database answers.
    const fromStore = await cli(['keys', 'list', '--json'], {
      env: { ...master, KEYSCOPE_STORE: db.url, KEYSCOPE_KEYS_FILE: missingFile },
    });
    expect(fromStore.code, fromStore.stderr).toBe(0);
    // --file wins over KEYSCOPE_STORE: the (missing) file is read.
    const fromFile = await cli(['keys', 'list', '--file', missingFile], {
      env: { ...master, KEYSCOPE_STORE: db.url },
    });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('cannot read the keys file (ENOENT)');
    // --store wins over KEYSCOPE_KEYS_FILE.
    const fromFlag = await cli(['keys', 'list', '--json', '--store', db.url], {
      env: { ...master, KEYSCOPE_KEYS_FILE: missingFile },
    });
    expect(fromFlag.code, fromFlag.stderr).toBe(0);
    // Help names the option everywhere.
    for (const argv of [['--help'], ['keys', 'list', '--help'], ['migrate', '--help']]) {
      expect((await cli(argv)).stdout).toContain('--store <url>');
    }
  });

  it('init --store migrates a new schema and checks the master key', async () => {
    const url = urlFor(initialized);
    const env = { KEYSCOPE_MASTER_KEY: k1.text };
    expect(await cli(['init', '--store', url], { env })).toEqual({
      code: 0,
      stdout: `The PostgreSQL store is ready (schema "${initialized}").\n`,
      stderr: '',
    });
    expect(json(await cli(['init', '--store', url, '--json'], { env }))).toEqual({
      schema: initialized,
      ready: true,
    });
    expect(json(await cli(['migrate', '--store', url, '--json'], { env }))).toEqual({
      schema: initialized,
      applied: [],
      version: 1,
    });
    const noKey = await cli(['init', '--store', url], { env: {} });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^keyscope: KEYSCOPE_MASTER_KEY is not set/);
  });
});
