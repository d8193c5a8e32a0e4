/**
 * Tests of `openWritableFileStore` on real temporary files: every operation of `WritableKeyStore`
 * and its refusals (typed errors with codes), the per-app limit of active keys, read-modify-write
 * that never loses another writer's entries (two stores, concurrent calls, two processes creating
 * 20 keys each), atomic replacement (readers never see half a file; the result is 0600 whatever
 * the mode before; ownership and symbolic links kept), the lock (released, waited for, taken over
 * once not refreshed for `staleLockAge`, timeout), refusal of a corrupt or half-written file
 * without touching it, and readers (`openFileStore`) following the writes. The lock's races and
 * its behaviour across processes are in `stores/writable-file-lock.test.ts`.
 */
import { execFile } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  basicAuthorization,
  ConfigurationError,
  createAuthenticator,
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  KeyLimitError,
  KeyNotFoundError,
  type KeysDocument,
  KeysFileError,
  keyState,
  LifecycleError,
  openFileStore,
  openWritableFileStore,
  StoreCorruptError,
  StoreError,
  StoreIoError,
  StoreLockedError,
  type WritableFileKeyStore,
  type WritableFileStoreOptions,
} from '../src/index.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('./lifecycle-fixtures/writer.ts', import.meta.url));

const BASE: KeysDocument = {
  version: 1,
  apps: [
    { id: 'app_a', accountId: 'acc_1' },
    { id: 'app_b', accountId: 'acc_1' },
    { id: 'app_x', accountId: 'acc_2' },
  ],
  serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
  keys: [
    {
      id: 'app_existing',
      secret: 'demo-existing-secret-not-for-production',
      entity: { type: 'app', id: 'app_a' },
      displayName: 'hand-written',
    },
  ],
};

let dir: string;
let file: string;
const opened: WritableFileKeyStore[] = [];

async function open(
  document: unknown = BASE,
  options: WritableFileStoreOptions = {},
): Promise<WritableFileKeyStore> {
  if (document !== null) await writeFile(file, JSON.stringify(document, null, 2));
  const store = await openWritableFileStore(file, { watch: false, ...options });
  opened.push(store);
  return store;
}

async function onDisk(): Promise<KeysDocument> {
  return JSON.parse(await readFile(file, 'utf8')) as KeysDocument;
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-writable-'));
  file = join(dir, 'keys.json');
});

afterEach(async () => {
  for (const store of opened.splice(0)) store.close();
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('openWritableFileStore: opening', () => {
  it.each([
    [{ maxActiveKeysPerApp: 0 }, 'maxActiveKeysPerApp must be a positive integer'],
    [{ maxActiveKeysPerApp: 2.5 }, 'maxActiveKeysPerApp must be a positive integer'],
    [{ lockTimeout: -1 }, 'lockTimeout must be a number of milliseconds, 0 or more'],
    [{ lockTimeout: Number.NaN }, 'lockTimeout must be a number of milliseconds, 0 or more'],
    [{ staleLockAge: 0 }, 'staleLockAge must be a number of milliseconds, 4000 or more'],
    [{ staleLockAge: 3999 }, 'staleLockAge must be a number of milliseconds, 4000 or more'],
    [{ staleLockAge: Infinity }, 'staleLockAge must be a number of milliseconds, 4000 or more'],
  ])('refuses %j', async (options, message) => {
    await expect(open(BASE, options)).rejects.toThrow(new ConfigurationError(message));
  });

  it('exposes the path, the lock path, the limit and the document', async () => {
    const store = await open();
    expect(store.path).toBe(file);
    expect(store.lockPath).toBe(`${file}.lock`);
    expect(store.maxActiveKeysPerApp).toBe(10);
    expect(store.document).toEqual(BASE);
    expect(await store.appsFor({ type: 'userAccount', id: 'acc_1' })).toEqual(['app_a', 'app_b']);
    expect(await store.reload()).toBe(false);
  });

  it('refuses a missing or invalid file as openFileStore does', async () => {
    await expect(open(null)).rejects.toBeInstanceOf(KeysFileError);
    await expect(open({ version: 2, apps: [], keys: [] })).rejects.toThrow(
      `${file}: version: must be 1`,
    );
  });

  it('create: true writes an empty, valid, owner-only file', async () => {
    const store = await open(null, { create: true });
    expect(await onDisk()).toEqual({ version: 1, apps: [], serviceAccounts: [], keys: [] });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(store.document.keys).toEqual([]);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('create: true never replaces an existing file', async () => {
    await writeFile(file, JSON.stringify(BASE));
    await open(null, { create: true });
    expect(await onDisk()).toEqual(BASE);
    await writeFile(file, '{ corrupt');
    await expect(open(null, { create: true })).rejects.toBeInstanceOf(KeysFileError);
    expect(await readFile(file, 'utf8')).toBe('{ corrupt');
  });

  it('create: true in a missing directory is a StoreIoError', async () => {
    file = join(dir, 'missing', 'keys.json');
    const error = await caught(open(null, { create: true }));
    expect(error).toBeInstanceOf(StoreIoError);
    expect(error.message).toBe(`${file}.lock: cannot create the lock (ENOENT)`);
  });
});

describe('createKey', () => {
  it('creates app, user-account and service-account keys and returns the secret once', async () => {
    const store = await open();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-05-01T12:00:00Z'));
    const app = await store.createKey({ entity: { type: 'app', id: 'app_a' }, displayName: 'CI' });
    const act = await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } });
    const svc = await store.createKey({
      entity: { type: 'serviceAccount', id: 'svc_1' },
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    });
    expect(app.record).toEqual({
      id: expect.stringMatching(/^app_[0-9a-f]{24}$/),
      entity: { type: 'app', id: 'app_a' },
      accountId: 'acc_1',
      displayName: 'CI',
      createdAt: new Date('2030-05-01T12:00:00Z'),
    });
    expect(act.record).toMatchObject({
      id: expect.stringMatching(/^act_[0-9a-f]{24}$/),
      accountId: 'acc_1',
    });
    expect(svc.record).toMatchObject({
      id: expect.stringMatching(/^svc_[0-9a-f]{24}$/),
      accountId: 'acc_1',
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    });
    for (const created of [app, act, svc]) {
      expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(created.record).not.toHaveProperty('secret');
    }
    const written = await onDisk();
    expect(written.keys.slice(1)).toEqual([
      {
        id: app.record.id,
        secret: app.secret,
        entity: { type: 'app', id: 'app_a' },
        displayName: 'CI',
        createdAt: '2030-05-01T12:00:00.000Z',
      },
      {
        id: act.record.id,
        secret: act.secret,
        entity: { type: 'userAccount', id: 'acc_1' },
        createdAt: '2030-05-01T12:00:00.000Z',
      },
      {
        id: svc.record.id,
        secret: svc.secret,
        entity: { type: 'serviceAccount', id: 'svc_1' },
        createdAt: '2030-05-01T12:00:00.000Z',
        expiresAt: '2031-01-01T00:00:00.000Z',
      },
    ]);
    expect(written.keys[0]).toEqual(BASE.keys[0]);
  });

  it('serves the new key at once, and it authenticates', async () => {
    const store = await open();
    const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_b' } });
    expect((await store.findKey(record.id))?.secret).toBe(secret);
    const auth = await createAuthenticator({ store }).authenticate({
      authorization: basicAuthorization({ id: record.id, secret }),
    });
    expect(auth).toMatchObject({ scope: 'app', appId: 'app_b', keyId: record.id });
  });

  it.each([
    [
      { entity: { type: 'app', id: 'app_nope' } },
      EntityNotFoundError,
      'app "app_nope" does not exist',
    ],
    [
      { entity: { type: 'serviceAccount', id: 'svc_nope' } },
      EntityNotFoundError,
      'service account "svc_nope" does not exist',
    ],
    [{ entity: { type: 'account', id: 'acc_1' } }, InvalidArgumentError, 'entity.type must be'],
    [{ entity: { type: 'app', id: '' } }, InvalidArgumentError, 'entity.id must be a string'],
    [
      { entity: { type: 'app', id: 'a\u0007' } },
      InvalidArgumentError,
      'entity.id must be a string',
    ],
    [{ entity: { type: 'app', id: 'x'.repeat(257) } }, InvalidArgumentError, 'entity.id must be'],
    [{ entity: 'app_a' }, InvalidArgumentError, 'entity must be an object'],
    [{ entity: null }, InvalidArgumentError, 'entity must be an object'],
    [
      { entity: { type: 'app', id: 'app_a' }, displayName: 'x'.repeat(257) },
      InvalidArgumentError,
      'displayName must be a string of at most 256 characters',
    ],
    [
      { entity: { type: 'app', id: 'app_a' }, displayName: 'a\u001b[31mred' },
      InvalidArgumentError,
      'displayName must be',
    ],
    [{ entity: { type: 'app', id: 'app_a' }, displayName: 7 }, InvalidArgumentError, 'displayName'],
    [
      { entity: { type: 'app', id: 'app_a' }, expiresAt: new Date(Date.now() - 1000) },
      InvalidArgumentError,
      'expiresAt must be a valid date in the future',
    ],
    [
      { entity: { type: 'app', id: 'app_a' }, expiresAt: new Date('nope') },
      InvalidArgumentError,
      'expiresAt must be a valid date in the future',
    ],
    [
      { entity: { type: 'app', id: 'app_a' }, expiresAt: '2099-01-01' },
      InvalidArgumentError,
      'expiresAt must be a valid date in the future',
    ],
  ])('refuses %j', async (input, type, message) => {
    const store = await open();
    const before = await readFile(file, 'utf8');
    const error = await caught(store.createKey(input as never));
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(LifecycleError);
    expect(error.message.startsWith(message)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses a missing input', async () => {
    const store = await open();
    await expect(store.createKey(undefined as never)).rejects.toThrow(
      'createKey needs an object with an entity',
    );
  });

  it('allows at most 10 active keys per app by default, with a clear error', async () => {
    const store = await open();
    for (let i = 0; i < 9; i++) await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const error = await caught(store.createKey({ entity: { type: 'app', id: 'app_a' } }));
    expect(error).toBeInstanceOf(KeyLimitError);
    expect(error).toMatchObject({
      code: 'ERR_KEY_LIMIT',
      appId: 'app_a',
      limit: 10,
      message:
        'app "app_a" already has 10 active keys, the most allowed; revoke or delete one first',
    });
    // Other apps and accounts are not affected.
    await store.createKey({ entity: { type: 'app', id: 'app_b' } });
    for (let i = 0; i < 12; i++) {
      await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } });
    }
    // A revoked key frees a place; a key whose revocation is only scheduled does not.
    await store.revokeKey('app_existing', new Date(Date.now() + 60_000));
    await expect(store.createKey({ entity: { type: 'app', id: 'app_a' } })).rejects.toBeInstanceOf(
      KeyLimitError,
    );
    await store.revokeKey('app_existing');
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
  });

  it('counts expired keys as inactive, and takes a configured limit', async () => {
    const store = await open(
      {
        ...BASE,
        keys: [
          { ...BASE.keys[0], expiresAt: '2000-01-01T00:00:00Z' },
          { ...BASE.keys[0], id: 'app_old', revokedAt: '2000-01-01T00:00:00Z' },
        ],
      },
      { maxActiveKeysPerApp: 2 },
    );
    expect(store.maxActiveKeysPerApp).toBe(2);
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await expect(store.createKey({ entity: { type: 'app', id: 'app_a' } })).rejects.toThrow(
      'app "app_a" already has 2 active keys',
    );
  });

  it('never loses a key among concurrent calls of one process', async () => {
    const store = await open();
    const created = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } }),
      ),
    );
    const ids = (await onDisk()).keys.map((k) => k.id);
    expect(ids).toHaveLength(21);
    for (const { record } of created) expect(ids).toContain(record.id);
  });

  it('keeps entries written by another writer meanwhile (read-modify-write)', async () => {
    const first = await open();
    const second = await openWritableFileStore(file, { watch: false });
    opened.push(second);
    const a = await first.createKey({ entity: { type: 'app', id: 'app_a' } });
    const b = await second.createKey({ entity: { type: 'app', id: 'app_b' } }); // second's copy is stale
    await first.addApp({ id: 'app_c', accountId: 'acc_3' });
    const doc = await onDisk();
    expect(doc.keys.map((k) => k.id)).toEqual(['app_existing', a.record.id, b.record.id]);
    expect(doc.apps.map((app) => app.id)).toEqual(['app_a', 'app_b', 'app_x', 'app_c']);
  });
});

describe('revokeKey, deleteKey, listKeys', () => {
  it('revokes by setting revokedAt and keeping the record; the key is refused', async () => {
    const store = await open();
    const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-02-03T04:05:06Z'));
    const revoked = await store.revokeKey(record.id);
    expect(revoked).toMatchObject({ id: record.id, revokedAt: new Date('2031-02-03T04:05:06Z') });
    expect((await onDisk()).keys[1]).toMatchObject({
      id: record.id,
      secret,
      revokedAt: '2031-02-03T04:05:06.000Z',
    });
    await expect(
      createAuthenticator({ store }).authenticate({
        authorization: basicAuthorization({ id: record.id, secret }),
      }),
    ).rejects.toMatchObject({ status: 401, reason: 'key_revoked' });
  });

  it('schedules a revocation, brings it forward, and never postpones one', async () => {
    const store = await open();
    const later = new Date(Date.now() + 3_600_000);
    const soon = new Date(Date.now() + 60_000);
    expect((await store.revokeKey('app_existing', later)).revokedAt).toEqual(later);
    expect(keyState((await store.listKeys())[0]!)).toBe('active');
    expect((await store.revokeKey('app_existing', soon)).revokedAt).toEqual(soon);
    const before = await stat(file);
    expect((await store.revokeKey('app_existing', later)).revokedAt).toEqual(soon);
    expect((await stat(file)).ino).toBe(before.ino); // nothing changed, nothing written
  });

  it.each([
    ['revokeKey', (s: WritableFileKeyStore) => s.revokeKey('app_nope')],
    ['deleteKey', (s: WritableFileKeyStore) => s.deleteKey('app_nope')],
    ['revokeKey (not a string)', (s: WritableFileKeyStore) => s.revokeKey(5 as never)],
  ])('%s of an unknown id: KeyNotFoundError', async (_name, call) => {
    const store = await open();
    const error = await caught(call(store));
    expect(error).toBeInstanceOf(KeyNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
  });

  it('quotes the id in the message, escaped and cut at 64 characters', async () => {
    const store = await open();
    const error = await caught(store.deleteKey(`\u001b[2J${'x'.repeat(100)}`));
    expect(error.message).toBe(`no key has the id "\\u001b[2J${'x'.repeat(60)}..."`);
    expect((error as KeyNotFoundError).keyId).toBe(`\u001b[2J${'x'.repeat(100)}`);
  });

  it('refuses an invalid revocation instant', async () => {
    const store = await open();
    await expect(store.revokeKey('app_existing', new Date('x'))).rejects.toThrow(
      new InvalidArgumentError('the revocation instant must be a valid date'),
    );
  });

  it('deletes a key for good and returns what it was', async () => {
    const store = await open();
    const { record } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const deleted = await store.deleteKey('app_existing');
    expect(deleted).toEqual({
      id: 'app_existing',
      entity: { type: 'app', id: 'app_a' },
      accountId: 'acc_1',
      displayName: 'hand-written',
    });
    expect((await onDisk()).keys.map((k) => k.id)).toEqual([record.id]);
    expect(await store.findKey('app_existing')).toBeUndefined();
  });

  it('lists keys without secrets, filtered by entity, entity type and state', async () => {
    const store = await open({
      ...BASE,
      keys: [
        ...BASE.keys,
        {
          id: 'svc_k',
          secret: 'demo-s',
          entity: { type: 'serviceAccount', id: 'svc_1' },
          expiresAt: '2001-01-01T00:00:00Z',
          createdAt: '2000-01-01T00:00:00Z',
        },
        {
          id: 'act_k',
          secret: 'demo-a',
          entity: { type: 'userAccount', id: 'acc_1' },
          revokedAt: '2001-01-01T00:00:00Z',
          displayName: null,
        },
        { id: 'app_b_k', secret: 'demo-b', entity: { type: 'app', id: 'app_b' } },
      ],
    });
    const all = await store.listKeys();
    expect(all.map((k) => k.id)).toEqual(['app_existing', 'svc_k', 'act_k', 'app_b_k']);
    for (const key of all) expect(key).not.toHaveProperty('secret');
    expect(all[1]).toEqual({
      id: 'svc_k',
      entity: { type: 'serviceAccount', id: 'svc_1' },
      accountId: 'acc_1',
      createdAt: new Date('2000-01-01T00:00:00Z'),
      expiresAt: new Date('2001-01-01T00:00:00Z'),
    });
    const ids = async (filter: Parameters<WritableFileKeyStore['listKeys']>[0]) =>
      (await store.listKeys(filter)).map((k) => k.id);
    expect(await ids({ entity: { type: 'app', id: 'app_a' } })).toEqual(['app_existing']);
    expect(await ids({ entityType: 'app' })).toEqual(['app_existing', 'app_b_k']);
    expect(await ids({ state: 'active' })).toEqual(['app_existing', 'app_b_k']);
    expect(await ids({ state: 'expired' })).toEqual(['svc_k']);
    expect(await ids({ state: 'revoked' })).toEqual(['act_k']);
    expect(await ids({ entityType: 'app', state: 'revoked' })).toEqual([]);
  });

  it('lists what the file holds now, and fails as a StoreError when it cannot', async () => {
    const store = await open();
    await writeFile(file, JSON.stringify({ ...BASE, keys: [] }));
    expect(await store.listKeys()).toEqual([]);
    await writeFile(file, '{"version":1,');
    const corrupt = await caught(store.listKeys());
    expect(corrupt).toBeInstanceOf(StoreCorruptError);
    expect(corrupt.message.startsWith(`${file}: not valid JSON`)).toBe(true);
    await rm(file);
    const missing = await caught(store.listKeys());
    expect(missing).toBeInstanceOf(StoreIoError);
    expect(missing.message).toBe(`${file}: cannot read the keys file (ENOENT)`);
  });

  it('gives a user-account key its own id as account', async () => {
    const store = await open({
      ...BASE,
      keys: [{ id: 'act_1', secret: 'demo', entity: { type: 'userAccount', id: 'acc_9' } }],
    });
    expect(await store.listKeys()).toEqual([
      { id: 'act_1', entity: { type: 'userAccount', id: 'acc_9' }, accountId: 'acc_9' },
    ]);
  });
});

describe('apps and service accounts', () => {
  it('adds an app, refuses a duplicate and malformed ids', async () => {
    const store = await open();
    expect(await store.addApp({ id: 'app_new', accountId: 'acc_9' })).toEqual({
      id: 'app_new',
      accountId: 'acc_9',
    });
    expect((await onDisk()).apps.at(-1)).toEqual({ id: 'app_new', accountId: 'acc_9' });
    expect(await store.appsFor({ type: 'userAccount', id: 'acc_9' })).toEqual(['app_new']);
    const duplicate = await caught(store.addApp({ id: 'app_a', accountId: 'acc_1' }));
    expect(duplicate).toBeInstanceOf(EntityExistsError);
    expect(duplicate).toMatchObject({
      code: 'ERR_ENTITY_EXISTS',
      message: 'app "app_a" already exists',
      entity: { type: 'app', id: 'app_a' },
    });
    await expect(store.addApp({ id: '', accountId: 'a' })).rejects.toThrow(
      'the app id must be a string of 1 to 256 characters without control characters',
    );
    await expect(store.addApp({ id: 'ok', accountId: 'a\nb' })).rejects.toThrow(
      'the account id must be',
    );
    await expect(store.addApp(undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('creates service accounts (also in a file without the section) and refuses duplicates', async () => {
    const { serviceAccounts: _, ...withoutSection } = BASE;
    const store = await open({ ...withoutSection, keys: [] });
    expect(await store.createServiceAccount({ id: 'svc_2', accountId: 'acc_1' })).toEqual({
      id: 'svc_2',
      accountId: 'acc_1',
      appIds: [],
    });
    expect((await onDisk()).serviceAccounts).toEqual([
      { id: 'svc_2', accountId: 'acc_1', appIds: [] },
    ]);
    await expect(
      store.createServiceAccount({ id: 'svc_2', accountId: 'acc_1' }),
    ).rejects.toMatchObject({
      code: 'ERR_ENTITY_EXISTS',
      message: 'service account "svc_2" already exists',
    });
    await expect(
      store.createServiceAccount({ id: 'svc\u0000', accountId: 'acc_1' }),
    ).rejects.toThrow('the service account id must be');
    await expect(store.createServiceAccount(null as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('grants an app of the same account, once', async () => {
    const store = await open();
    expect(await store.grantApp('svc_1', 'app_b')).toEqual({
      id: 'svc_1',
      accountId: 'acc_1',
      appIds: ['app_a', 'app_b'],
    });
    expect(await store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).toEqual([
      'app_a',
      'app_b',
    ]);
    const before = await stat(file);
    expect((await store.grantApp('svc_1', 'app_b')).appIds).toEqual(['app_a', 'app_b']);
    expect((await stat(file)).ino).toBe(before.ino);
  });

  it.each([
    ['svc_nope', 'app_a', EntityNotFoundError, 'service account "svc_nope" does not exist'],
    ['svc_1', 'app_nope', EntityNotFoundError, 'app "app_nope" does not exist'],
    [
      'svc_1',
      'app_x',
      InvalidArgumentError,
      'app "app_x" belongs to account "acc_2", not to "acc_1" of service account "svc_1"',
    ],
    ['svc_1', '', InvalidArgumentError, 'the app id must be'],
    ['', 'app_a', InvalidArgumentError, 'the service account id must be'],
  ])('grantApp(%j, %j) is refused', async (svc, app, type, message) => {
    const store = await open();
    const error = await caught(store.grantApp(svc, app));
    expect(error).toBeInstanceOf(type);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('refuses a grant or a service-account key in a file without service accounts', async () => {
    const { serviceAccounts: _, ...withoutSection } = BASE;
    const store = await open({ ...withoutSection, keys: [] });
    await expect(store.grantApp('svc_1', 'app_a')).rejects.toBeInstanceOf(EntityNotFoundError);
    await expect(
      store.createKey({ entity: { type: 'serviceAccount', id: 'svc_1' } }),
    ).rejects.toBeInstanceOf(EntityNotFoundError);
  });
});

describe('atomic writes', () => {
  it('replaces the file by rename, leaving no temporary file; readers never see half a file', async () => {
    const store = await open();
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        JSON.parse(await readFile(file, 'utf8'));
        reads++;
      }
    })();
    const before = (await stat(file)).ino;
    for (let i = 0; i < 30; i++) {
      await store.createKey({ entity: { type: 'userAccount', id: `acc_${i}` } });
    }
    reading = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await stat(file)).ino).not.toBe(before);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it.each([0o644, 0o640, 0o666, 0o600, 0o400].map((mode) => [`0${mode.toString(8)}`, mode]))(
    'rewrites a file of mode %s as 0600 (owner only: it holds secrets)',
    async (_octal, mode) => {
      const store = await open(BASE, { onWarning: () => {} });
      await chmod(file, mode);
      await store.addApp({ id: 'app_p', accountId: 'acc_1' });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    },
  );

  it('writes 0600 whatever the umask', async () => {
    const store = await open();
    const previous = process.umask(0o277); // would leave the owner read-only
    try {
      await store.addApp({ id: 'app_u', accountId: 'acc_1' });
    } finally {
      process.umask(previous);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner of the file when run as root', async () => {
    const store = await open();
    await chown(file, 4321, 4321);
    await store.addApp({ id: 'app_o', accountId: 'acc_1' });
    const after = await stat(file);
    expect([after.uid, after.gid]).toEqual([4321, 4321]);
  });

  it('writes through a symbolic link, keeping the link', async () => {
    const real = join(dir, 'real');
    await mkdir(real);
    await writeFile(join(real, 'keys.json'), JSON.stringify(BASE));
    await symlink(join(real, 'keys.json'), file);
    const store = await openWritableFileStore(file, { watch: false });
    opened.push(store);
    await store.addApp({ id: 'app_l', accountId: 'acc_1' });
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
    expect((await onDisk()).apps.map((a) => a.id)).toContain('app_l');
  });

  it('fails as a StoreIoError when the file has gone', async () => {
    const store = await open();
    await rm(file);
    const error = await caught(store.createKey({ entity: { type: 'app', id: 'app_a' } }));
    expect(error).toBeInstanceOf(StoreIoError);
    expect(error).toMatchObject({
      code: 'ERR_STORE_IO',
      message: `${file}: cannot read the keys file (ENOENT)`,
    });
  });
});

describe('corrupt files', () => {
  it.each([
    ['half-written JSON', '{\n  "version": 1,\n  "apps": [', 'not valid JSON'],
    ['not JSON at all', 'secret-looking garbage', 'not valid JSON'],
    ['JSON cut in a string', '{\n  "version": 1,\n  "apps": "x\n', 'not valid JSON at line 3'],
    [
      'an invalid document',
      JSON.stringify({
        ...BASE,
        keys: [{ id: 'k:1', secret: 'x', entity: { type: 'app', id: 'app_a' } }],
      }),
      'keys[0] ("k:1"): id may not contain ":"',
    ],
  ])('refuses to write over %s and leaves it untouched', async (_name, content, problem) => {
    const store = await open();
    await writeFile(file, content);
    const error = await caught(store.createKey({ entity: { type: 'app', id: 'app_a' } }));
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    expect(error.message).toContain(problem);
    expect(error.message).toContain(
      'refusing to write over a corrupt keys file: fix or restore it, then try again',
    );
    expect(error.message).not.toContain('garbage');
    expect(await readFile(file, 'utf8')).toBe(content);
    expect(await readdir(dir)).toEqual(['keys.json']);
    // The reading side keeps its last good copy.
    expect(await store.findKey('app_existing')).toBeDefined();
  });
});

describe('the lock', () => {
  it('is released after each write, and after a refused one', async () => {
    const store = await open();
    await store.addApp({ id: 'app_1', accountId: 'acc_1' });
    await expect(store.addApp({ id: 'app_1', accountId: 'acc_1' })).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('is waited for while another writer holds it', async () => {
    const store = await open();
    await mkdir(store.lockPath);
    setTimeout(() => void rm(store.lockPath, { recursive: true }), 80);
    const started = Date.now();
    await store.addApp({ id: 'app_w', accountId: 'acc_1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect((await onDisk()).apps.map((a) => a.id)).toContain('app_w');
  });

  it('times out with StoreLockedError when a live writer keeps it, writing nothing', async () => {
    const store = await open(BASE, { lockTimeout: 150 });
    await mkdir(store.lockPath);
    const before = await readFile(file, 'utf8');
    const error = await caught(store.addApp({ id: 'app_t', accountId: 'acc_1' }));
    expect(error).toBeInstanceOf(StoreLockedError);
    expect(error).toMatchObject({ code: 'ERR_STORE_LOCKED' });
    expect(error.message).toBe(
      `${file}: another writer holds the lock ${file}.lock and did not release it within 150 ms (nothing was written); a lock whose writer died is taken over 10000 ms after its last refresh`,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect((await stat(store.lockPath)).isDirectory()).toBe(true); // not ours to remove
  });

  it('lockTimeout 0 tries once', async () => {
    const store = await open(BASE, { lockTimeout: 0 });
    await store.addApp({ id: 'app_0', accountId: 'acc_1' });
    await mkdir(store.lockPath);
    await expect(store.addApp({ id: 'app_1', accountId: 'acc_1' })).rejects.toBeInstanceOf(
      StoreLockedError,
    );
  });

  it('takes over a lock not refreshed for staleLockAge', async () => {
    const store = await open(BASE, { staleLockAge: 4000, lockTimeout: 5000 });
    await mkdir(store.lockPath);
    const old = new Date(Date.now() - 4500);
    await utimes(store.lockPath, old, old);
    await store.addApp({ id: 'app_s', accountId: 'acc_1' });
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('does not take over a recent lock, whoever left it (no pid check)', async () => {
    // A lock carries no pid: a pid means nothing in another PID namespace or on another host.
    const store = await open(BASE, { staleLockAge: 60_000, lockTimeout: 100 });
    await mkdir(store.lockPath);
    const recent = new Date(Date.now() - 30_000);
    await utimes(store.lockPath, recent, recent);
    await expect(store.addApp({ id: 'app_d', accountId: 'acc_1' })).rejects.toBeInstanceOf(
      StoreLockedError,
    );
  });

  it('an abandoned lock file of an older keyscope (a regular file) is named, not removed', async () => {
    const store = await open(BASE, { staleLockAge: 4000, lockTimeout: 100 });
    const lock = JSON.stringify({ pid: 1, hostname: hostname(), nonce: 'n' });
    await writeFile(store.lockPath, lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(store.lockPath, old, old);
    const error = await caught(store.addApp({ id: 'app_e', accountId: 'acc_1' }));
    expect(error).toBeInstanceOf(StoreLockedError);
    expect(error.message).toBe(
      `${file}: the lock ${file}.lock was abandoned (not refreshed for 60 s) but cannot be removed (ENOTDIR); remove it by hand (nothing was written)`,
    );
    expect(await readFile(store.lockPath, 'utf8')).toBe(lock);
  });

  it('a lock path that cannot be inspected (a symbolic link to itself) times out naming it', async () => {
    const store = await open(BASE, { lockTimeout: 100 });
    await symlink(store.lockPath, store.lockPath);
    const error = await caught(store.addApp({ id: 'app_e', accountId: 'acc_1' }));
    expect(error).toBeInstanceOf(StoreLockedError);
    expect(error.message).toBe(
      `${file}: the lock ${file}.lock cannot be inspected (ELOOP); if no keyscope writer is running, remove it (nothing was written)`,
    );
  });
});

describe('other processes', () => {
  it('two writer processes creating 20 keys each: all 40 are there', async () => {
    await open();
    const startAt = String(Date.now() + 1500); // both start writing at the same instant
    const writers = ['acc_w1', 'acc_w2'].map((account) =>
      run(process.execPath, ['--import', 'tsx', writer, file, '20', account, startAt], {
        cwd: repoRoot,
      }),
    );
    const outputs = await Promise.all(writers);
    const created = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
    expect(created).toHaveLength(40);
    const doc = await onDisk();
    const ids = doc.keys.map((k) => k.id);
    expect(new Set(ids).size).toBe(41);
    for (const id of created) expect(ids).toContain(id);
    expect(doc.keys.filter((k) => k.entity.id === 'acc_w1')).toHaveLength(20);
    expect(doc.keys.filter((k) => k.entity.id === 'acc_w2')).toHaveLength(20);
    expect(await readdir(dir)).toEqual(['keys.json']);
  }, 60_000);

  it('a reader following the file sees a new key and a revocation within two seconds', async () => {
    const store = await open();
    const reader = await openFileStore(file, { onReloadError: () => {} });
    try {
      const authenticator = createAuthenticator({ store: reader });
      const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
      const authorization = basicAuthorization({ id: record.id, secret });
      const within = async (expectation: () => Promise<unknown>) => {
        const deadline = Date.now() + 2000;
        for (;;) {
          try {
            return await expectation();
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((done) => setTimeout(done, 50));
          }
        }
      };
      await within(() => authenticator.authenticate({ authorization }));
      await store.revokeKey(record.id);
      await within(() =>
        expect(authenticator.authenticate({ authorization })).rejects.toMatchObject({
          reason: 'key_revoked',
        }),
      );
    } finally {
      reader.close();
    }
  });
});
