/**
 * Fault and race tests of `openWritableFileStore`, with `node:fs/promises` wrapped so that a test
 * can make one call fail or interleave another writer's action at an exact point: a file read
 * half-written once is read again before it is judged; a failed rename
 * leaves the keys file unchanged and no temporary file; a lock taken over right after it was
 * taken makes the writer give up at the commit without writing or removing the other's lock; a
 * file created by someone else during `create: true` is kept; a failed directory fsync is
 * tolerated. The lock's other races are in `stores/writable-file-lock.test.ts`.
 */
import * as fs from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  type KeysDocument,
  openWritableFileStore,
  StoreIoError,
  StoreLockedError,
  type WritableFileKeyStore,
} from '../src/index.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    link: vi.fn(actual.link),
    open: vi.fn(actual.open),
    readFile: vi.fn(actual.readFile),
    realpath: vi.fn(actual.realpath),
    rename: vi.fn(actual.rename),
    stat: vi.fn(actual.stat),
  };
});

vi.mock('../src/internal/lifecycle.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/internal/lifecycle.js')>();
  return { ...actual, addApp: vi.fn(actual.addApp) };
});

const lifecycle = await import('../src/internal/lifecycle.js');
const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

const BASE: KeysDocument = {
  version: 1,
  apps: [{ id: 'app_a', accountId: 'acc_1' }],
  serviceAccounts: [],
  keys: [],
};

let dir: string;
let file: string;
let lockPath: string;
const opened: WritableFileKeyStore[] = [];

async function open(options: Parameters<typeof openWritableFileStore>[1] = {}) {
  const store = await openWritableFileStore(file, { watch: false, ...options });
  opened.push(store);
  return store;
}

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-faults-'));
  file = join(dir, 'keys.json');
  lockPath = `${file}.lock`;
  await writeFile(file, JSON.stringify(BASE));
});

afterEach(async () => {
  for (const store of opened.splice(0)) store.close();
  vi.mocked(fs.link).mockImplementation(real.link);
  vi.mocked(fs.open).mockImplementation(real.open);
  vi.mocked(fs.readFile).mockImplementation(real.readFile as typeof fs.readFile);
  vi.mocked(fs.realpath).mockImplementation(real.realpath as typeof fs.realpath);
  vi.mocked(fs.rename).mockImplementation(real.rename);
  vi.mocked(fs.stat).mockImplementation(real.stat as typeof fs.stat);
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('write failures', () => {
  it('a failed rename leaves the keys file unchanged and removes the temporary file', async () => {
    const store = await open();
    vi.mocked(fs.rename).mockImplementationOnce(async () => {
      throw errnoError('EXDEV');
    });
    const before = await readFile(file, 'utf8');
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreIoError);
    expect((error as Error).message).toBe(
      `${file}: cannot replace the keys file (EXDEV); the keys file was left unchanged`,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('a temporary file that cannot be created is a StoreIoError', async () => {
    const store = await open();
    vi.mocked(fs.open).mockImplementationOnce(async () => {
      throw errnoError('EACCES');
    });
    await expect(store.addApp({ id: 'app_b', accountId: 'acc_1' })).rejects.toThrow(
      `${file}: cannot create a temporary file (EACCES); the keys file was left unchanged`,
    );
  });

  it('a directory that cannot be fsynced does not fail the write', async () => {
    const store = await open();
    vi.mocked(fs.open).mockImplementation(async (path, flags, mode) => {
      if (path === dir) throw errnoError('EISDIR');
      return real.open(path, flags, mode);
    });
    await store.addApp({ id: 'app_b', accountId: 'acc_1' });
    expect(JSON.parse(await readFile(file, 'utf8')).apps).toHaveLength(2);
  });

  it('a keys file that cannot be read under the lock is a StoreIoError', async () => {
    const store = await open();
    vi.mocked(fs.readFile).mockImplementation(async (path, options) => {
      if (path === file) throw errnoError('EIO');
      return real.readFile(path, options as never) as never;
    });
    await expect(store.addApp({ id: 'app_b', accountId: 'acc_1' })).rejects.toThrow(
      new StoreIoError(`${file}: cannot read the keys file (EIO)`),
    );
  });

  it('a change the validator refuses is an InvalidArgumentError and is not written', async () => {
    const store = await open();
    vi.mocked(lifecycle.addApp).mockImplementationOnce((draft) => {
      draft.apps.push({ id: 'app_a', accountId: 'acc_1' });
      return { id: 'app_a', accountId: 'acc_1' };
    });
    const error = await store.addApp({ id: 'app_a', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      `the change would make the keys file invalid: ${file}: apps[1] ("app_a"): duplicate app id`,
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(BASE);
  });
});

describe('a writer half-way through', () => {
  it('is looked at once more 100 ms later before the file is judged corrupt', async () => {
    const store = await open();
    let reads = 0;
    vi.mocked(fs.readFile).mockImplementation(async (path, options) => {
      if (path === file && ++reads === 1) return '{ "version": 1, "apps": [' as never;
      return real.readFile(path, options as never) as never;
    });
    const started = Date.now();
    await store.addApp({ id: 'app_b', accountId: 'acc_1' });
    expect(reads).toBeGreaterThanOrEqual(2); // the half-written copy, then the whole one
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(JSON.parse(await readFile(file, 'utf8')).apps).toHaveLength(2);
  });
});

describe('create: true races', () => {
  it('keeps a file another process created while the lock was being taken', async () => {
    vi.mocked(fs.stat).mockImplementationOnce(async () => {
      throw errnoError('ENOENT');
    });
    const store = await open({ create: true });
    expect(store.document).toEqual(BASE);
  });

  it('a file whose existence cannot be checked is a StoreIoError', async () => {
    vi.mocked(fs.stat).mockImplementationOnce(async () => {
      throw errnoError('EACCES');
    });
    await expect(open({ create: true })).rejects.toThrow(
      new StoreIoError(`${file}: cannot read the keys file (EACCES)`),
    );
  });

  it('never links over a file that appeared at the last moment', async () => {
    await rm(file);
    vi.mocked(fs.link).mockImplementationOnce(async () => {
      throw errnoError('EEXIST');
    });
    await expect(open({ create: true })).rejects.toThrow(
      `${file}: cannot replace the keys file (EEXIST); the keys file was left unchanged`,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('lock races', () => {
  it('gives up at the commit when its lock was taken over right after it was taken', async () => {
    const store = await open();
    vi.mocked(fs.realpath).mockImplementationOnce(async (path) => {
      // Another writer judged our lock abandoned and took it: a new directory in its place.
      await rm(lockPath, { recursive: true });
      await mkdir(lockPath);
      const earlier = new Date(Date.now() - 1000);
      await utimes(lockPath, earlier, earlier);
      return real.realpath(path);
    });
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toBe(
      `${file}: this writer lost the lock ${lockPath} (another writer took it over); nothing was written, try again`,
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(BASE);
    expect((await readdir(dir)).sort()).toEqual(['keys.json', 'keys.json.lock']); // not ours to remove
  });
});
