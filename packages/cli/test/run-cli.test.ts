/**
 * In-process tests of `runCli`: every command and its `--json` output shape, help for every
 * command and group, usage and validation errors (exit 1, one line on stderr, JSON with --json),
 * store errors (exit 2: missing, corrupt or locked file, a lock path that is a dangling symbolic
 * link or an abandoned lock that cannot be removed), secrets shown only by the commands meant to
 * show them, keys that authenticate through core, the store-factory seam, and a keys file others
 * may read: listed with a warning on stderr, and rewritten 0600.
 */
import { chmod, mkdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createAuthenticator,
  createMemoryStore,
  type KeysDocument,
  openFileStore,
  openWritableFileStore,
  StoreIoError,
  type WritableKeyStore,
} from '@keyscope/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, EXIT, type KeyJson, type StoreFactory } from '../src/index.js';
import { BASE, cli, json, type TempKeys, tempKeys } from './support.js';

let keys: TempKeys;
let file: string;

beforeEach(async () => {
  keys = await tempKeys();
  file = keys.file;
});
afterEach(async () => {
  vi.useRealTimers();
  await keys.cleanup();
});

const run = (...argv: string[]) => cli(['--file', file, ...argv]);
const runJson = (...argv: string[]) => cli(['--file', file, '--json', ...argv]);
const onDisk = async () => JSON.parse(await readFile(file, 'utf8')) as KeysDocument;

/** A one-line error on stderr, nothing on stdout. */
function expectFailure(result: { code: number; stdout: string; stderr: string }, code: number) {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
}

async function create(...argv: string[]): Promise<{ key: KeyJson; secret: string }> {
  const result = await runJson('keys', 'create', ...argv);
  expect(result.code, result.stderr).toBe(0);
  return json(result);
}

async function authenticate(authorization: string) {
  const store = await openFileStore(file, { watch: false });
  try {
    return await createAuthenticator({ store }).authenticate({ authorization });
  } finally {
    store.close();
  }
}

describe('help', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the overview', async (flag) => {
    const result = await cli([flag]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Usage: keyscope <command> [options]');
    for (const command of COMMANDS) expect(result.stdout).toContain(command.name);
    expect(result.stdout).toContain('Exit codes: 0 ok, 1 usage or validation error, 2 store error');
  });

  it.each(COMMANDS.map((command) => [command.name]))('%s --help', async (name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    for (const argv of [
      [...name.split(' '), '--help'],
      ['help', ...name.split(' ')],
      ['--help', ...name.split(' '), '--bogus'],
    ]) {
      const result = await cli(argv);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^Usage: keyscope ${name}`));
      expect(result.stdout).toContain(command.summary);
      for (const option of [...Object.keys(command.options), 'file', 'json', 'help']) {
        expect(result.stdout).toContain(`--${option}`);
      }
      expect(result.stdout).toContain(`Output with --json: ${command.json}`);
      for (const example of command.examples) expect(result.stdout).toContain(example);
    }
  });

  it.each([
    ['keys', ['create', 'list', 'revoke', 'rotate', 'delete', 'reencrypt']],
    ['apps', ['add']],
    ['service-accounts', ['create', 'grant']],
    ['token', ['sign']],
    ['header', ['basic']],
  ])('%s --help lists its commands', async (group, subs) => {
    const result = await cli([group, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: keyscope ${group} <command> [options]`);
    for (const sub of subs) expect(result.stdout).toContain(`${group} ${sub}`);
  });
});

describe('usage errors: exit 1 and one line', () => {
  it.each([
    [[], "keyscope: missing command; see 'keyscope --help'"],
    [['frob'], `keyscope: unknown command "frob"; see 'keyscope --help'`],
    [
      ['keys'],
      "keyscope: keys needs a command: create, list, revoke, rotate, delete, reencrypt; see 'keyscope keys --help'",
    ],
    [['keys', 'frob'], `keyscope: unknown command "keys frob"; see 'keyscope keys --help'`],
    [
      ['keys', 'create', '--app', 'app_a', '--bogus'],
      "keyscope: unknown option --bogus for keys create; see 'keyscope keys create --help'",
    ],
    [
      ['keys', 'list', '--name', 'x'],
      "keyscope: unknown option --name for keys list; see 'keyscope keys list --help'",
    ],
    [
      ['keys', 'create', '--app'],
      "keyscope: --app needs a value; see 'keyscope keys create --help'",
    ],
    [['keys', 'revoke'], "keyscope: keys revoke needs <keyId>; see 'keyscope keys revoke --help'"],
    [['keys', 'revoke', 'a', 'b'], 'keyscope: unexpected argument "b" for keys revoke'],
    [['init', 'now'], 'keyscope: unexpected argument "now" for init'],
    [
      ['keys', 'create'],
      'keyscope: keys create needs one of --app, --account or --service-account',
    ],
    [
      ['keys', 'create', '--app', 'app_a', '--account', 'acc_1'],
      'keyscope: keys create takes only one of --app, --account and --service-account',
    ],
    [['apps', 'add', 'app_n'], 'keyscope: apps add needs --account <accountId>'],
    [['apps', 'add', 'app_n', '--account', ''], 'keyscope: apps add needs --account <accountId>'],
    [
      ['service-accounts', 'grant', 'svc_1'],
      'keyscope: service-accounts grant needs --app <appId>',
    ],
    [['token', 'sign', '--key', 'k'], 'keyscope: token sign needs --scope <scope>'],
    [['header', 'basic'], 'keyscope: header basic needs --key <keyId>'],
    [['keys', 'list', '--state', 'gone'], 'keyscope: --state must be active, revoked or expired'],
    [
      ['keys', 'create', '--app', 'app_a', '--expires', 'soon'],
      'keyscope: --expires must be an ISO date (2030-01-01), an instant with a time zone (2030-01-01T12:00:00Z) or a duration (30d, 12h, 15m)',
    ],
    [
      ['keys', 'create', '--app', 'app_a', '--expires', '2030-01-01T00:00:00'],
      'keyscope: --expires must be an ISO date',
    ],
    [
      ['keys', 'create', '--app', 'app_a', '--expires', '2001-01-01'],
      'keyscope: --expires must be in the future',
    ],
    [
      ['keys', 'create', '--app', 'app_a', '--expires', '0m'],
      'keyscope: --expires must be in the future',
    ],
    [['keys', 'revoke', 'k', '--at', 'yesterday'], 'keyscope: --at must be an ISO date'],
    [
      ['keys', 'create', '--json=1', '--app', 'app_a'],
      "keyscope: Option '--json' does not take an argument",
    ],
  ])('%j', async (argv, message) => {
    const result = await run(...argv);
    expectFailure(result, EXIT.usage);
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(await onDisk()).toEqual(BASE);
  });

  it('without --file, --store, KEYSCOPE_KEYS_FILE or KEYSCOPE_STORE', async () => {
    const result = await cli(['keys', 'list']);
    expectFailure(result, 1);
    expect(result.stderr).toBe(
      'keyscope: no store: pass --file <path> or --store postgres://..., or set KEYSCOPE_KEYS_FILE or KEYSCOPE_STORE\n',
    );
  });

  it('reports JSON on stderr with --json', async () => {
    const result = await runJson('keys', 'revoke', 'app_nope');
    expectFailure(result, 1);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'ERR_KEY_NOT_FOUND', message: 'no key has the id "app_nope"' },
    });
    const usage = await cli(['keys', '--json']);
    expect(JSON.parse(usage.stderr).error.code).toBe('ERR_USAGE');
  });
});

describe('store selection', () => {
  it('reads KEYSCOPE_KEYS_FILE, and resolves a relative path from the working directory', async () => {
    const fromEnv = await cli(['keys', 'list', '--json'], { env: { KEYSCOPE_KEYS_FILE: file } });
    expect(json(fromEnv)).toEqual({ keys: [] });
    const relative = await cli(['keys', 'list', '--json', '--file', 'keys.json'], {
      cwd: keys.dir,
      env: { KEYSCOPE_KEYS_FILE: '/nonexistent' },
    });
    expect(json(relative)).toEqual({ keys: [] });
  });

  it('uses the store factory it is given (the seam for other stores) and closes the store', async () => {
    const memory = createMemoryStore(BASE);
    const close = vi.fn();
    const fake = {
      ...memory,
      maxActiveKeysPerApp: 10,
      listKeys: vi.fn(async () => [{ id: 'db_key', entity: { type: 'app', id: 'app_a' } }]),
      close,
    } as unknown as WritableKeyStore;
    const openStore = vi.fn<StoreFactory>(async () => fake);
    const result = await cli(['keys', 'list', '--json', '--file', 'anything'], {
      openStore,
      cwd: '/srv',
    });
    expect(json(result)).toEqual({
      keys: [
        {
          id: 'db_key',
          entity: { type: 'app', id: 'app_a' },
          accountId: null,
          name: null,
          createdAt: null,
          expiresAt: null,
          revokedAt: null,
          state: 'active',
        },
      ],
    });
    expect(openStore).toHaveBeenCalledWith(
      { kind: 'file', path: '/srv/anything' },
      {
        env: {},
        onWarning: expect.any(Function),
      },
    );
    expect(close).toHaveBeenCalledOnce();
  });

  it('a store error from the factory exits 2; an unexpected error exits 2 as internal', async () => {
    const failing = await cli(['keys', 'list', '--file', file], {
      openStore: async () => {
        throw new StoreIoError('database unreachable (ECONNREFUSED)');
      },
    });
    expectFailure(failing, EXIT.store);
    expect(failing.stderr).toBe('keyscope: database unreachable (ECONNREFUSED)\n');
    const broken = await cli(['keys', 'list', '--file', file, '--json'], {
      openStore: async () => {
        throw 'not even an Error';
      },
    });
    expectFailure(broken, 2);
    expect(JSON.parse(broken.stderr)).toEqual({
      error: { code: 'ERR_INTERNAL', message: 'not even an Error' },
    });
  });

  it('a store whose close fails still exits with the command result', async () => {
    const store = await openWritableFileStore(file, { watch: false });
    const result = await cli(['keys', 'list', '--file', file], {
      openStore: async () => ({
        ...store,
        listKeys: store.listKeys,
        close: () => {
          throw new Error('already closed');
        },
      }),
    });
    expect(result.code).toBe(0);
    store.close();
  });
});

describe('store errors: exit 2', () => {
  it('a missing file, with a hint', async () => {
    const result = await cli(['keys', 'list', '--file', join(keys.dir, 'none.json')]);
    expectFailure(result, EXIT.store);
    expect(result.stderr).toBe(
      `keyscope: ${join(keys.dir, 'none.json')}: cannot read the keys file (ENOENT); create it with 'keyscope init'\n`,
    );
  });

  it('a corrupt file is refused and left as it is', async () => {
    await writeFile(file, '{"version": 1, "apps": [');
    for (const argv of [
      ['keys', 'list'],
      ['keys', 'create', '--app', 'app_a'],
      ['apps', 'add', 'app_c', '--account', 'acc_1'],
    ]) {
      const result = await runJson(...argv);
      expectFailure(result, 2);
      expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'ERR_KEYS_FILE' });
      expect(JSON.parse(result.stderr).error.message).toContain('not valid JSON');
    }
    expect(await readFile(file, 'utf8')).toBe('{"version": 1, "apps": [');
  });

  it('a file that turns corrupt under the lock is a StoreCorruptError', async () => {
    const store = await openWritableFileStore(file, { watch: false });
    await writeFile(file, 'garbage');
    const result = await cli(
      ['apps', 'add', 'app_c', '--account', 'acc_1', '--file', file, '--json'],
      {
        openStore: async () => store,
      },
    );
    expectFailure(result, 2);
    expect(JSON.parse(result.stderr).error.code).toBe('ERR_STORE_CORRUPT');
    expect(await readFile(file, 'utf8')).toBe('garbage');
  });

  /** Runs `argv` on a store whose writes wait at most 100 ms for the lock. */
  const runLocked = (...argv: string[]) =>
    cli([...argv, '--file', file, '--json'], {
      openStore: (target) =>
        openWritableFileStore(target.kind === 'file' ? target.path : '', {
          watch: false,
          lockTimeout: 100,
        }),
    });

  it('a lock held by another writer times out', async () => {
    await mkdir(`${file}.lock`);
    const result = await runLocked('apps', 'add', 'app_c', '--account', 'acc_1');
    expectFailure(result, 2);
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'ERR_STORE_LOCKED' });
    expect(await onDisk()).toEqual(BASE);
  });

  it('a dangling symbolic link in place of the lock times out (no busy loop)', async () => {
    await symlink(join(keys.dir, 'nowhere'), `${file}.lock`);
    const result = await runLocked('apps', 'add', 'app_c', '--account', 'acc_1');
    expectFailure(result, 2);
    expect(JSON.parse(result.stderr).error).toEqual({
      code: 'ERR_STORE_LOCKED',
      message: `${file}: the lock path ${file}.lock is a symbolic link to a missing file, not a lock; remove it (nothing was written)`,
    });
    expect(await onDisk()).toEqual(BASE);
  });

  it('an abandoned lock that cannot be removed times out, naming it', async () => {
    // A lock file left by an older keyscope: a regular file, which rmdir cannot remove.
    await writeFile(`${file}.lock`, '{}');
    const old = new Date(Date.now() - 120_000);
    await utimes(`${file}.lock`, old, old);
    const result = await runLocked('keys', 'create', '--app', 'app_a');
    expectFailure(result, 2);
    expect(JSON.parse(result.stderr).error).toEqual({
      code: 'ERR_STORE_LOCKED',
      message: `${file}: the lock ${file}.lock was abandoned (not refreshed for 120 s) but cannot be removed (ENOTDIR); remove it by hand (nothing was written)`,
    });
    expect(await onDisk()).toEqual(BASE);
  });
});

describe('init', () => {
  it('creates an empty keys file, owner-only', async () => {
    const target = join(keys.dir, 'new.json');
    const human = await cli(['init', '--file', target]);
    expect(human).toEqual({
      code: 0,
      stdout: `Created an empty keys file: ${target}\n`,
      stderr: '',
    });
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({
      version: 1,
      apps: [],
      serviceAccounts: [],
      keys: [],
    });
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    const other = join(keys.dir, 'other.json');
    expect(json(await cli(['init', '--file', other, '--json']))).toEqual({
      file: other,
      created: true,
    });
  });

  it('never replaces a file', async () => {
    const result = await run('init');
    expectFailure(result, 1);
    expect(result.stderr).toBe(`keyscope: ${file} already exists; init never replaces a file\n`);
    expect(await onDisk()).toEqual(BASE);
  });

  it('fails with exit 2 where the file cannot be created', async () => {
    const result = await cli(['init', '--file', join(keys.dir, 'no', 'such', 'dir.json')]);
    expectFailure(result, 2);
    expect(result.stderr).toContain('cannot create the lock (ENOENT)');
  });
});

describe('apps and service accounts', () => {
  it('apps add', async () => {
    expect(await run('apps', 'add', 'app_c', '--account', 'acc_3')).toEqual({
      code: 0,
      stdout: 'Added app app_c to account acc_3.\n',
      stderr: '',
    });
    expect(json(await runJson('apps', 'add', 'app_d', '--account', 'acc_3'))).toEqual({
      app: { id: 'app_d', accountId: 'acc_3' },
    });
    expect((await onDisk()).apps.slice(3)).toEqual([
      { id: 'app_c', accountId: 'acc_3' },
      { id: 'app_d', accountId: 'acc_3' },
    ]);
    const duplicate = await runJson('apps', 'add', 'app_a', '--account', 'acc_1');
    expectFailure(duplicate, 1);
    expect(JSON.parse(duplicate.stderr).error).toEqual({
      code: 'ERR_ENTITY_EXISTS',
      message: 'app "app_a" already exists',
    });
    expectFailure(await run('apps', 'add', 'bad\tid', '--account', 'acc_1'), 1);
  });

  it('service-accounts create and grant', async () => {
    expect(await run('service-accounts', 'create', 'svc_ci', '--account', 'acc_1')).toEqual({
      code: 0,
      stdout: 'Created service account svc_ci in account acc_1.\n',
      stderr: '',
    });
    expect(
      json(await runJson('service-accounts', 'create', 'svc_2', '--account', 'acc_1')),
    ).toEqual({ serviceAccount: { id: 'svc_2', accountId: 'acc_1', appIds: [] } });
    expect(await run('service-accounts', 'grant', 'svc_ci', '--app', 'app_a')).toMatchObject({
      code: 0,
      stdout: 'Service account svc_ci now reaches: app_a.\n',
    });
    expect(json(await runJson('service-accounts', 'grant', 'svc_ci', '--app', 'app_b'))).toEqual({
      serviceAccount: { id: 'svc_ci', accountId: 'acc_1', appIds: ['app_a', 'app_b'] },
    });
    const cross = await run('service-accounts', 'grant', 'svc_ci', '--app', 'app_x');
    expectFailure(cross, 1);
    expect(cross.stderr).toBe(
      'keyscope: app "app_x" belongs to account "acc_2", not to "acc_1" of service account "svc_ci"\n',
    );
    expectFailure(await run('service-accounts', 'grant', 'svc_nope', '--app', 'app_a'), 1);
    expectFailure(await run('service-accounts', 'create', 'svc_1', '--account', 'acc_1'), 1);
  });
});

describe('keys create', () => {
  it('prints the id and the secret once, with the warning', async () => {
    const result = await run('keys', 'create', '--app', 'app_a', '--name', 'CI deploys');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [entry] = (await onDisk()).keys;
    expect(result.stdout).toBe(
      [
        `Created key ${entry!.id} for app app_a.`,
        '  name:    CI deploys',
        '  expires: never',
        '',
        'Secret (the secret is shown only this once; it cannot be shown again, so store it now):',
        entry!.secret,
        '',
      ].join('\n'),
    );
    expect(entry).toMatchObject({
      displayName: 'CI deploys',
      entity: { type: 'app', id: 'app_a' },
    });
  });

  it('--json: { key, secret }, the warning on stderr', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const result = await runJson(
      'keys',
      'create',
      '--service-account',
      'svc_1',
      '--expires',
      '30d',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: the secret is shown only this once; it cannot be shown again, so store it now\n',
    );
    const output = json<{ key: KeyJson; secret: string }>(result);
    expect(output).toEqual({
      key: {
        id: expect.stringMatching(/^svc_[0-9a-f]{24}$/),
        entity: { type: 'serviceAccount', id: 'svc_1' },
        accountId: 'acc_1',
        name: null,
        createdAt: '2030-01-01T00:00:00.000Z',
        expiresAt: '2030-01-31T00:00:00.000Z',
        revokedAt: null,
        state: 'active',
      },
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect((await onDisk()).keys[0]!.secret).toBe(output.secret);
  });

  it.each([
    ['2031-06-01', '2031-06-01T00:00:00.000Z'],
    ['2031-06-01T12:30:00+02:00', '2031-06-01T10:30:00.000Z'],
    ['1h30m', '2030-01-01T01:30:00.000Z'],
    ['2w', '2030-01-15T00:00:00.000Z'],
    ['45s', '2030-01-01T00:00:45.000Z'],
  ])('--expires %s', async (expires, expected) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    expect((await create('--app', 'app_a', '--expires', expires)).key.expiresAt).toBe(expected);
  });

  it('creates user-account keys, noting an account that owns no app', async () => {
    const known = await runJson('keys', 'create', '--account', 'acc_1');
    expect(known.stderr).not.toContain('note:');
    expect(json<{ key: KeyJson }>(known).key).toMatchObject({
      id: expect.stringMatching(/^act_[0-9a-f]{24}$/),
      entity: { type: 'userAccount', id: 'acc_1' },
      accountId: 'acc_1',
    });
    const typo = await run('keys', 'create', '--account', 'acc_typo');
    expect(typo.code).toBe(0);
    expect(typo.stderr).toBe('note: no app belongs to account acc_typo yet\n');
    expect(typo.stdout).toContain('for account acc_typo.');
  });

  it('the key authenticates through core', async () => {
    const { key, secret } = await create('--app', 'app_b');
    const header = json<{ header: string }>(await runJson('header', 'basic', '--key', key.id));
    expect(header.header).toBe(`Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}`);
    expect(await authenticate(header.header)).toMatchObject({ scope: 'app', appId: 'app_b' });
  });

  it('refuses an unknown app or service account, and the 11th active key of an app', async () => {
    const app = await runJson('keys', 'create', '--app', 'app_nope');
    expectFailure(app, 1);
    expect(JSON.parse(app.stderr).error).toEqual({
      code: 'ERR_ENTITY_NOT_FOUND',
      message: 'app "app_nope" does not exist',
    });
    expectFailure(await run('keys', 'create', '--service-account', 'svc_nope'), 1);
    for (let i = 0; i < 10; i++) await create('--app', 'app_a');
    const limit = await runJson('keys', 'create', '--app', 'app_a');
    expectFailure(limit, 1);
    expect(JSON.parse(limit.stderr).error).toEqual({
      code: 'ERR_KEY_LIMIT',
      message:
        'app "app_a" already has 10 active keys, the most allowed; revoke or delete one first',
    });
    const name = await run('keys', 'create', '--app', 'app_b', '--name', 'x'.repeat(300));
    expectFailure(name, 1);
  });
});

describe('keys list', () => {
  it('shows id, entity, name, created, expires and state, never a secret', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const a = await create('--app', 'app_a', '--name', 'CI', '--expires', '2030-06-01');
    const b = await create('--account', 'acc_1');
    const c = await create('--service-account', 'svc_1');
    await run('keys', 'revoke', b.key.id);
    await run('keys', 'revoke', c.key.id, '--at', '2031-01-01');
    const result = await run('keys', 'list');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'ID                            ENTITY                 NAME  CREATED               EXPIRES               STATE',
        `${a.key.id}  app app_a              CI    2030-01-01T00:00:00Z  2030-06-01T00:00:00Z  active`,
        `${b.key.id}  account acc_1          -     2030-01-01T00:00:00Z  -                     revoked`,
        `${c.key.id}  service-account svc_1  -     2030-01-01T00:00:00Z  -                     active (revoked from 2031-01-01T00:00:00Z)`,
        '',
      ].join('\n'),
    );
    const listed = json<{ keys: KeyJson[] }>(await runJson('keys', 'list'));
    expect(listed.keys.map((k) => [k.id, k.state])).toEqual([
      [a.key.id, 'active'],
      [b.key.id, 'revoked'],
      [c.key.id, 'active'],
    ]);
    expect(listed.keys[0]).toEqual({ ...a.key });
    for (const secret of [a.secret, b.secret, c.secret]) {
      expect(result.stdout).not.toContain(secret);
      expect(JSON.stringify(listed)).not.toContain(secret);
    }
    vi.setSystemTime(new Date('2030-07-01T00:00:00Z'));
    expect(json<{ keys: KeyJson[] }>(await runJson('keys', 'list')).keys[0]!.state).toBe('expired');
  });

  it('filters by entity and state', async () => {
    const a = await create('--app', 'app_a');
    const b = await create('--app', 'app_b');
    const svc = await create('--service-account', 'svc_1');
    await run('keys', 'revoke', b.key.id);
    const ids = async (...argv: string[]) =>
      json<{ keys: KeyJson[] }>(await runJson('keys', 'list', ...argv)).keys.map((k) => k.id);
    expect(await ids('--app', 'app_a')).toEqual([a.key.id]);
    expect(await ids('--service-account', 'svc_1')).toEqual([svc.key.id]);
    expect(await ids('--account', 'acc_1')).toEqual([]);
    expect(await ids('--state', 'revoked')).toEqual([b.key.id]);
    expect(await ids('--state', 'active')).toEqual([a.key.id, svc.key.id]);
    expect(await ids('--state', 'expired')).toEqual([]);
    expectFailure(await run('keys', 'list', '--app', 'a', '--account', 'b'), 1);
  });

  it('says so when there is no key, and escapes control characters from the file', async () => {
    expect((await run('keys', 'list')).stdout).toBe('No keys.\n');
    await writeFile(
      file,
      JSON.stringify({
        ...BASE,
        keys: [
          {
            id: 'app_k',
            secret: 'demo-secret-not-for-production',
            entity: { type: 'app', id: 'app_a' },
            displayName: 'evil\u001b[2Jname',
          },
        ],
      }),
    );
    const result = await run('keys', 'list');
    expect(result.stdout).toContain('evil\\u001b[2Jname');
    expect(result.stdout).not.toContain('\u001b');
  });
});

describe('keys revoke, rotate, delete', () => {
  it('revoke sets revokedAt, keeps the record, and the key is refused', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const { key, secret } = await create('--app', 'app_a');
    vi.setSystemTime(new Date('2030-01-02T00:00:00Z'));
    expect(await run('keys', 'revoke', key.id)).toEqual({
      code: 0,
      stdout: `Revoked key ${key.id} (app app_a) at 2030-01-02T00:00:00Z.\n`,
      stderr: '',
    });
    expect((await onDisk()).keys[0]).toMatchObject({
      id: key.id,
      secret,
      revokedAt: '2030-01-02T00:00:00.000Z',
    });
    const again = json<{ key: KeyJson }>(await runJson('keys', 'revoke', key.id));
    expect(again.key).toMatchObject({ state: 'revoked', revokedAt: '2030-01-02T00:00:00.000Z' });
    await expect(
      authenticate(`Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}`),
    ).rejects.toMatchObject({ status: 401, reason: 'key_revoked' });
  });

  it('revoke --at schedules the revocation', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const { key } = await create('--app', 'app_a');
    expect((await run('keys', 'revoke', key.id, '--at', '24h')).stdout).toBe(
      `Key ${key.id} (app app_a) will be revoked at 2030-01-02T00:00:00Z.\n`,
    );
    expect(json<{ key: KeyJson }>(await runJson('keys', 'revoke', key.id, '--at', '48h'))).toEqual({
      key: expect.objectContaining({ state: 'active', revokedAt: '2030-01-02T00:00:00.000Z' }),
    });
  });

  it('rotate creates a replacement for the same entity and name; the old key stays valid', async () => {
    const old = await create('--app', 'app_a', '--name', 'backend');
    const result = await run('keys', 'rotate', old.key.id);
    expect(result.code).toBe(0);
    const [, fresh] = (await onDisk()).keys;
    expect(fresh).toMatchObject({ entity: { type: 'app', id: 'app_a' }, displayName: 'backend' });
    expect(result.stdout).toBe(
      [
        `Created key ${fresh!.id} for app app_a to replace ${old.key.id}.`,
        '  name:    backend',
        '  expires: never',
        '',
        'Secret (the secret is shown only this once; it cannot be shown again, so store it now):',
        fresh!.secret,
        '',
        `The old key ${old.key.id} stays valid until you revoke it: keyscope keys revoke ${old.key.id}`,
        '',
      ].join('\n'),
    );
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    await expect(authenticate(basic(old.key.id, old.secret))).resolves.toMatchObject({
      scope: 'app',
    });
    await expect(authenticate(basic(fresh!.id, fresh!.secret))).resolves.toMatchObject({
      scope: 'app',
    });
  });

  it('rotate --json: { key, secret, replaces }', async () => {
    const old = await create('--account', 'acc_1');
    const result = await runJson('keys', 'rotate', old.key.id, '--expires', '90d');
    expect(result.stderr).toContain('warning: the secret is shown only this once');
    const output = json<{ key: KeyJson; secret: string; replaces: KeyJson }>(result);
    expect(output.replaces).toEqual(old.key);
    expect(output.key).toMatchObject({
      id: expect.stringMatching(/^act_/),
      entity: old.key.entity,
      name: null,
      expiresAt: expect.any(String),
      state: 'active',
    });
    expect(output.secret).not.toBe(old.secret);
  });

  it('rotate of an unknown key, or of an app at its limit, is refused', async () => {
    expectFailure(await run('keys', 'rotate', 'app_nope'), 1);
    const keys = [];
    for (let i = 0; i < 10; i++) keys.push(await create('--app', 'app_a'));
    const full = await runJson('keys', 'rotate', keys[0]!.key.id);
    expectFailure(full, 1);
    expect(JSON.parse(full.stderr).error.code).toBe('ERR_KEY_LIMIT');
  });

  it('delete removes the record', async () => {
    const { key, secret } = await create('--app', 'app_a');
    const result = await runJson('keys', 'delete', key.id);
    expect(json(result)).toEqual({ deleted: key });
    expect(result.stdout).not.toContain(secret);
    expect((await onDisk()).keys).toEqual([]);
    const human = await create('--app', 'app_a');
    expect((await run('keys', 'delete', human.key.id)).stdout).toBe(
      `Deleted key ${human.key.id} (app app_a).\n`,
    );
    expectFailure(await run('keys', 'delete', key.id), 1);
  });
});

describe('token sign and header basic', () => {
  it('token sign prints a JWT the verifier accepts', async () => {
    const { key } = await create('--app', 'app_a');
    const human = await run(
      'token',
      'sign',
      '--key',
      key.id,
      '--scope',
      'appUser',
      '--user',
      'u_42',
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(await authenticate(`Bearer ${human.stdout.trim()}`)).toMatchObject({
      method: 'jwt',
      scope: 'appUser',
      appId: 'app_a',
      userId: 'u_42',
    });
  });

  it('token sign --json: { token, keyId, scope, userId, expiresAt }', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const { key } = await create('--account', 'acc_1');
    const defaults = json(await runJson('token', 'sign', '--key', key.id, '--scope', 'account'));
    expect(defaults).toEqual({
      token: expect.any(String),
      keyId: key.id,
      scope: 'account',
      userId: null,
      expiresAt: '2030-01-01T00:15:00.000Z',
    });
    const hour = json(
      await runJson('token', 'sign', '--key', key.id, '--scope', 'account', '--expires', '1h'),
    );
    expect(hour.expiresAt).toBe('2030-01-01T01:00:00.000Z');
    const until = json(
      await runJson(
        'token',
        'sign',
        '--key',
        key.id,
        '--scope',
        'account',
        '--expires',
        '2030-01-02',
      ),
    );
    expect(until.expiresAt).toBe('2030-01-02T00:00:00.000Z');
  });

  it.each([
    [
      ['--scope', 'account'],
      'ERR_SCOPE_NOT_ALLOWED',
      'an app key can sign "app" or "appUser" tokens, not "account"',
    ],
    [['--scope', 'appUser'], 'ERR_INVALID_ARGUMENT', 'an appUser token needs a non-empty userId'],
    [
      ['--scope', 'app', '--user', 'u1'],
      'ERR_INVALID_ARGUMENT',
      'userId is only for appUser tokens, not "app"',
    ],
    [
      ['--scope', 'admin'],
      'ERR_SCOPE_NOT_ALLOWED',
      'an app key can sign "app" or "appUser" tokens, not "admin"',
    ],
  ])('token sign %j is refused as the verifier would', async (argv, code, message) => {
    const { key } = await create('--app', 'app_a');
    const result = await runJson('token', 'sign', '--key', key.id, ...argv);
    expectFailure(result, 1);
    expect(JSON.parse(result.stderr)).toEqual({ error: { code, message } });
  });

  it('token sign and header basic refuse unknown and revoked keys', async () => {
    const unknown = await runJson('token', 'sign', '--key', 'app_nope', '--scope', 'app');
    expectFailure(unknown, 1);
    expect(JSON.parse(unknown.stderr).error.code).toBe('ERR_KEY_NOT_FOUND');
    expectFailure(await run('header', 'basic', '--key', 'app_nope'), 1);
    const { key } = await create('--app', 'app_a');
    await run('keys', 'revoke', key.id);
    const revoked = await runJson('token', 'sign', '--key', key.id, '--scope', 'app');
    expectFailure(revoked, 1);
    expect(JSON.parse(revoked.stderr).error).toEqual({
      code: 'ERR_KEY_NOT_USABLE',
      message: `key "${key.id}" is revoked`,
    });
  });

  it('header basic prints the header value alone', async () => {
    const { key, secret } = await create('--service-account', 'svc_1');
    const result = await run('header', 'basic', '--key', key.id);
    expect(result).toEqual({
      code: 0,
      stdout: `Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}\n`,
      stderr: '',
    });
    expect(json(await runJson('header', 'basic', '--key', key.id))).toEqual({
      header: result.stdout.trim(),
      keyId: key.id,
    });
    expect(await authenticate(result.stdout.trim())).toMatchObject({
      scope: 'account',
      accountId: 'acc_1',
    });
  });
});

describe('file handling', () => {
  it('rewrites the keys file 0600 (owner only), whatever its mode was', async () => {
    await chmod(file, 0o640);
    await create('--app', 'app_a');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')(
    'keys list on a keys file others may read: the list, and one warning line on stderr',
    async () => {
      await chmod(file, 0o644);
      const warning = `warning: ${file}: the keys file holds secrets, but its mode is 0644 (its group may read it; other users may read it); restrict it with \`chmod 600\` (keyscope writes it 0600)\n`;
      const human = await run('keys', 'list');
      expect(human).toEqual({ code: 0, stdout: 'No keys.\n', stderr: warning });
      const machine = await runJson('keys', 'list');
      expect(machine.code).toBe(0);
      expect(json(machine)).toEqual({ keys: [] });
      expect(machine.stderr).toBe(warning);
      await chmod(file, 0o600);
      expect(await run('keys', 'list')).toEqual({ code: 0, stdout: 'No keys.\n', stderr: '' });
    },
  );
});
