/**
 * Tests of the keys-file store on real temporary files: start-up refusal with a message naming the
 * file and the entry (never a secret), live reload within two seconds for an in-place write and for
 * a new file renamed over the old one, a bad edit keeping the last good copy and being reported,
 * `reload()`, and `close()`. `node:fs` and `node:fs/promises` pass through to the real modules; a
 * test can take over `readFile` or `watch` to reach the races a real disk rarely shows.
 */
import type { FSWatcher } from 'node:fs';
import { mkdtemp, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  type FileKeyStore,
  type FileStoreOptions,
  type KeysDocument,
  KeysFileError,
  openFileStore,
} from '../../src/index.js';
import { KEY, keysDocument, SECRET } from '../support/fixtures.js';

type WatchListener = (event: string, filename: string | null) => void;
type StatsLike = { mtimeMs: number; size: number; ino: number };
type PollListener = (current: StatsLike, previous: StatsLike) => void;

const hooks = vi.hoisted(() => ({
  reads: 0,
  readFile: undefined as undefined | ((path: string) => Promise<string>),
  watch: undefined as undefined | (() => never),
  watchers: [] as FSWatcher[],
  listeners: [] as WatchListener[],
  pollers: [] as PollListener[],
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    readFile: (...args: Parameters<typeof actual.readFile>) => {
      hooks.reads++;
      return hooks.readFile ? hooks.readFile(String(args[0])) : actual.readFile(...args);
    },
  };
});

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    watch: (...args: unknown[]) => {
      if (hooks.watch) hooks.watch();
      hooks.listeners.push(args[2] as WatchListener);
      const watcher = (actual.watch as (...a: unknown[]) => FSWatcher)(...args);
      hooks.watchers.push(watcher);
      return watcher;
    },
    watchFile: (...args: unknown[]) => {
      hooks.pollers.push(args[2] as PollListener);
      return (actual.watchFile as (...a: unknown[]) => unknown)(...args);
    },
  };
});

const WITHIN = { timeout: 2000, interval: 10 } as const;
const NEW_KEY = 'app_added_after_start_0000001';
const NEW_SECRET = 'demo-added-secret-not-for-production';

let dir: string;
let file: string;
const opened: FileKeyStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-file-store-'));
  file = join(dir, 'keys.json');
  await write(keysDocument());
  hooks.reads = 0;
  hooks.readFile = undefined;
  hooks.watch = undefined;
  hooks.watchers = [];
  hooks.listeners = [];
  hooks.pollers = [];
});

afterEach(async () => {
  for (const store of opened.splice(0)) store.close();
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function open(options: FileStoreOptions = {}) {
  const store = await openFileStore(file, {
    pollInterval: 50,
    onReloadError: () => {},
    ...options,
  });
  opened.push(store);
  return store;
}

function write(document: unknown, path = file) {
  return writeFile(
    path,
    typeof document === 'string' ? document : JSON.stringify(document, null, 2),
  );
}

/** The fixture document with one more app key. */
function withNewKey(): KeysDocument {
  const d = keysDocument();
  return {
    ...d,
    keys: [...d.keys, { id: NEW_KEY, secret: NEW_SECRET, entity: { type: 'app', id: 'app_b' } }],
  };
}

/** A document refused for its second key, which holds a secret. */
function badDocument(): string {
  const d = structuredClone(withNewKey()) as unknown as { keys: Record<string, unknown>[] };
  (d.keys[1] as Record<string, unknown>).entity = { type: 'app', id: 'app_missing' };
  return JSON.stringify(d);
}

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('openFileStore: start-up', () => {
  it('serves the keys of a valid file', async () => {
    const store = await open();
    expect(store.path).toBe(file);
    expect(store.document).toEqual(keysDocument());
    await expect(store.findKey(KEY.appA)).resolves.toMatchObject({ secret: SECRET.appA });
    await expect(store.appsFor({ type: 'userAccount', id: 'acc_1' })).resolves.toEqual([
      'app_a',
      'app_b',
    ]);
  });

  it('resolves a relative path', async () => {
    const store = await openFileStore(relative(process.cwd(), file), { watch: false });
    expect(store.path).toBe(file);
    store.close();
  });

  it('refuses a missing file, naming it and the error code', async () => {
    const missing = join(dir, 'missing.json');
    await expect(openFileStore(missing)).rejects.toThrow(
      new KeysFileError(`${missing}: cannot read the keys file (ENOENT)`),
    );
  });

  it('refuses a directory', async () => {
    await expect(openFileStore(dir)).rejects.toThrow(`${dir}: cannot read the keys file (EISDIR)`);
  });

  it('names an unreadable file even when the error has no code', async () => {
    hooks.readFile = () => Promise.reject(new Error('weird'));
    await expect(openFileStore(file)).rejects.toThrow(`${file}: cannot read the keys file (error)`);
  });

  it('refuses invalid JSON with the line of the fault, never the text around it', async () => {
    await write(`{\n  "version": 1,\n  "keys": [{ "secret": "${SECRET.appA}" oops }]\n}`);
    const error = await openFileStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysFileError);
    expect((error as Error).message).toBe(`${file}: not valid JSON at line 3`);
    expect((error as Error).message).not.toContain(SECRET.appA);
  });

  it('refuses an empty file as invalid JSON without a line', async () => {
    await write('');
    await expect(openFileStore(file)).rejects.toThrow(new KeysFileError(`${file}: not valid JSON`));
  });

  it('refuses a document that does not match the format, naming the entry', async () => {
    await write(badDocument());
    const error = await openFileStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysFileError);
    expect((error as Error).message).toBe(
      `${file}: keys[1] ("${KEY.appB}"): entity app "app_missing" is not in apps`,
    );
    expect((error as Error).message).not.toContain(SECRET.appB);
  });

  it.each([0, 9, 1001, Number.NaN])('refuses a pollInterval of %s', async (pollInterval) => {
    await expect(openFileStore(file, { pollInterval })).rejects.toThrow(ConfigurationError);
  });
});

describe('openFileStore: live reload', () => {
  it('applies an in-place write within two seconds', async () => {
    const onReload = vi.fn();
    const store = await open({ onReload });
    const start = Date.now();
    await write(withNewKey());
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toMatchObject({ secret: NEW_SECRET });
    }, WITHIN);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(onReload).toHaveBeenCalledWith(withNewKey());
    expect(store.document).toEqual(withNewKey());
  });

  it('applies a new file renamed over the old one within two seconds', async () => {
    const store = await open();
    const start = Date.now();
    const temp = join(dir, '.keys.json.tmp');
    await write(withNewKey(), temp);
    await rename(temp, file);
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it('follows several renames in a row', async () => {
    const store = await open();
    for (const [i, id] of ['app_r1', 'app_r2'].entries()) {
      const d = keysDocument();
      const next = {
        ...d,
        keys: [
          ...d.keys,
          { id, secret: `demo-r${i}-not-for-production`, entity: { type: 'app', id: 'app_a' } },
        ],
      };
      const temp = join(dir, `next-${i}.json`);
      await write(next, temp);
      await rename(temp, file);
      await vi.waitFor(async () => {
        await expect(store.findKey(id)).resolves.toBeDefined();
      }, WITHIN);
    }
    await expect(store.findKey('app_r1')).resolves.toBeUndefined();
  });

  it('revokes a key removed from the file', async () => {
    const store = await open();
    const d = keysDocument();
    await write({ ...d, keys: d.keys.filter((k) => k.id !== KEY.appA) });
    await vi.waitFor(async () => {
      await expect(store.findKey(KEY.appA)).resolves.toBeUndefined();
    }, WITHIN);
  });

  it('keeps the last good copy on a bad edit, reports it, then applies a good one', async () => {
    const onReloadError = vi.fn();
    const onReload = vi.fn();
    const store = await open({ onReloadError, onReload });
    await write(badDocument());
    await vi.waitFor(() => expect(onReloadError).toHaveBeenCalled(), WITHIN);
    const error = onReloadError.mock.calls[0]?.[0] as Error;
    expect(error).toBeInstanceOf(KeysFileError);
    expect(error.message).toBe(
      `${file}: keys[1] ("${KEY.appB}"): entity app "app_missing" is not in apps`,
    );
    expect(error.message).not.toContain(SECRET.appB);
    expect(onReload).not.toHaveBeenCalled();
    expect(store.document).toEqual(keysDocument());
    await expect(store.findKey(NEW_KEY)).resolves.toBeUndefined();
    await expect(store.findKey(KEY.appB)).resolves.toMatchObject({ secret: SECRET.appB });

    await write(withNewKey());
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
  });

  it('keeps the last good copy when the file is deleted, and reports it', async () => {
    const onReloadError = vi.fn();
    const store = await open({ onReloadError });
    await rm(file);
    await vi.waitFor(() => expect(onReloadError).toHaveBeenCalled(), WITHIN);
    expect((onReloadError.mock.calls[0]![0] as Error).message).toBe(
      `${file}: cannot read the keys file (ENOENT)`,
    );
    await expect(store.findKey(KEY.appA)).resolves.toBeDefined();
  });

  it('reports a bad edit on stderr by default, without the secret', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = await openFileStore(file, { pollInterval: 50 });
    opened.push(store);
    await write(`{"version":1,"apps":[],"keys":[{"id":"k","secret":"${SECRET.appC}"}`);
    await vi.waitFor(() => expect(consoleError).toHaveBeenCalled(), WITHIN);
    expect(consoleError).toHaveBeenCalledWith(
      `keyscope: keeping the last good keys file: ${file}: not valid JSON at line 1`,
    );
    expect(JSON.stringify(consoleError.mock.calls)).not.toContain(SECRET.appC);
  });

  it('a half-written file seen once is read again before anything is reported', async () => {
    const onReloadError = vi.fn();
    const onReload = vi.fn();
    const store = await open({ onReloadError, onReload });
    const real = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises'))
      .readFile;
    let first = true;
    hooks.readFile = async (path) => {
      if (first) {
        first = false;
        return '{"version": 1, "apps": [';
      }
      return real(path, 'utf8');
    };
    await write(withNewKey());
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
    expect(first).toBe(false);
    expect(onReloadError).not.toHaveBeenCalled();
  });

  it('a change seen during a reload is read after it, and a bad one is reported', async () => {
    const onReloadError = vi.fn();
    const onReload = vi.fn();
    const store = await open({ watch: false, onReloadError, onReload });
    const good = JSON.stringify(withNewKey());
    let release: (text: string) => void = () => {};
    const answers: Array<() => Promise<string>> = [
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
        }),
    ];
    hooks.readFile = () => (answers.shift() ?? (() => Promise.resolve(badDocument())))();
    const a = store.reload();
    const b = store.reload(); // seen while the first read is under way
    expect(b).toBe(a);
    release(good);
    await expect(a).resolves.toBe(true);
    await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    // The read after it finds the bad text: it is reported, and the good copy stays.
    await vi.waitFor(() => expect(onReloadError).toHaveBeenCalled(), WITHIN);
    expect((onReloadError.mock.calls[0]![0] as Error).message).toContain('keys[1]');
    await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
  });

  it('a change seen during a reload of a good file is applied', async () => {
    const store = await open({ watch: false });
    let release: (text: string) => void = () => {};
    const answers: Array<() => Promise<string>> = [
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
        }),
      () => Promise.resolve(JSON.stringify(withNewKey())),
    ];
    hooks.readFile = () =>
      (answers.shift() ?? (() => Promise.resolve(JSON.stringify(withNewKey()))))();
    const a = store.reload();
    void store.reload();
    release(JSON.stringify(keysDocument()));
    await a;
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
  });

  it('still meets the bound when the directory watcher cannot start', async () => {
    hooks.watch = () => {
      throw Object.assign(new Error('no inotify'), { code: 'ENOSPC' });
    };
    const store = await open();
    expect(hooks.watchers).toHaveLength(0);
    await write(withNewKey());
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
  });

  it('closes a watcher that fails, and keeps following the file by polling', async () => {
    const store = await open();
    const watcher = hooks.watchers[0] as FSWatcher;
    const close = vi.spyOn(watcher, 'close');
    watcher.emit('error', new Error('watcher died'));
    expect(close).toHaveBeenCalled();
    await write(withNewKey());
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
  });

  it('the watcher reacts to its file (or an unnamed change), not to other files', async () => {
    await open({ pollInterval: 1000 });
    const listener = hooks.listeners[0] as WatchListener;
    const before = hooks.reads;
    listener('change', 'other.json');
    await sleep(20);
    expect(hooks.reads).toBe(before);
    listener('rename', null);
    await vi.waitFor(() => expect(hooks.reads).toBe(before + 1), WITHIN);
    listener('change', 'keys.json');
    await vi.waitFor(() => expect(hooks.reads).toBe(before + 2), WITHIN);
  });
});

describe('openFileStore: the stat poll', () => {
  const stats = (mtimeMs: number, size: number, ino: number): StatsLike => ({ mtimeMs, size, ino });

  it.each([
    ['the modification time', stats(2, 10, 7)],
    ['the size alone', stats(1, 11, 7)],
    ['the inode alone (a file renamed over it)', stats(1, 10, 8)],
  ])('reads the file again when %s changed', async (_l, current) => {
    await open({ pollInterval: 1000 });
    const poll = hooks.pollers[0] as PollListener;
    const before = hooks.reads;
    poll(current, stats(1, 10, 7));
    await vi.waitFor(() => expect(hooks.reads).toBe(before + 1), WITHIN);
  });

  it('ignores a change of access time only', async () => {
    await open({ pollInterval: 1000 });
    const poll = hooks.pollers[0] as PollListener;
    const before = hooks.reads;
    poll(stats(1, 10, 7), stats(1, 10, 7));
    await sleep(20);
    expect(hooks.reads).toBe(before);
  });

  it('catches, without the directory watcher, a file of the same size and time renamed over it', async () => {
    hooks.watch = () => {
      throw new Error('no watcher');
    };
    const pad = (text: string) => text.padEnd(8192, ' ');
    const when = 1_900_000_000; // whole seconds, so that the time survives utimes exactly
    await write(pad(JSON.stringify(keysDocument())));
    await utimes(file, when, when);
    const store = await open();
    const before = await stat(file);
    const temp = join(dir, 'next.json');
    await write(pad(JSON.stringify(withNewKey())), temp);
    await utimes(temp, when, when);
    await rename(temp, file);
    const after = await stat(file);
    expect([after.mtimeMs, after.size]).toEqual([before.mtimeMs, before.size]);
    expect(after.ino).not.toBe(before.ino);
    await vi.waitFor(async () => {
      await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    }, WITHIN);
  });
});

describe('openFileStore: reload() and close()', () => {
  it('reload() says whether a new copy was loaded', async () => {
    const store = await open({ watch: false });
    await expect(store.reload()).resolves.toBe(false);
    await write(withNewKey());
    await expect(store.reload()).resolves.toBe(true);
    await expect(store.findKey(NEW_KEY)).resolves.toBeDefined();
    await expect(store.reload()).resolves.toBe(false);
  });

  it('reload() rejects a bad file and keeps the last good copy', async () => {
    const store = await open({ watch: false });
    await write(badDocument());
    await expect(store.reload()).rejects.toThrow(KeysFileError);
    expect(store.document).toEqual(keysDocument());
    await write('{');
    await expect(store.reload()).rejects.toThrow(`${file}: not valid JSON`);
    await write(withNewKey());
    await expect(store.reload()).resolves.toBe(true);
  });

  it('with watch: false the file is not followed', async () => {
    const onReload = vi.fn();
    const store = await open({ watch: false, onReload });
    expect(hooks.watchers).toHaveLength(0);
    await write(withNewKey());
    await sleep(300);
    expect(onReload).not.toHaveBeenCalled();
    await expect(store.findKey(NEW_KEY)).resolves.toBeUndefined();
  });

  it('close() stops following the file', async () => {
    const onReload = vi.fn();
    const onReloadError = vi.fn();
    const store = await open({ onReload, onReloadError });
    const watcher = hooks.watchers[0] as FSWatcher;
    const closeWatcher = vi.spyOn(watcher, 'close');
    store.close();
    expect(closeWatcher).toHaveBeenCalled();
    const reads = hooks.reads;
    await write(withNewKey());
    await sleep(300); // six poll intervals
    expect(hooks.reads).toBe(reads);
    expect(onReload).not.toHaveBeenCalled();
    await expect(store.findKey(NEW_KEY)).resolves.toBeUndefined();
    // A closed store still answers, and can still be reloaded by hand.
    await expect(store.findKey(KEY.appA)).resolves.toBeDefined();
    await expect(store.reload()).resolves.toBe(true);
  });

  it('close() during the retry of a failed read stops it', async () => {
    const onReloadError = vi.fn();
    const store = await open({ onReloadError });
    hooks.readFile = () => Promise.resolve('{');
    await write(withNewKey());
    await vi.waitFor(() => expect(hooks.reads).toBeGreaterThan(0), WITHIN);
    store.close();
    const reads = hooks.reads;
    await sleep(300);
    expect(hooks.reads).toBe(reads);
    expect(onReloadError).not.toHaveBeenCalled();
  });

  it('close() during a read cancels the read a change seen meanwhile would have caused', async () => {
    const store = await open({ watch: false });
    const before = hooks.reads;
    let release: (text: string) => void = () => {};
    hooks.readFile = () =>
      new Promise<string>((resolve) => {
        release = resolve;
      });
    const a = store.reload();
    void store.reload();
    store.close();
    release(JSON.stringify(withNewKey()));
    await expect(a).resolves.toBe(true);
    await sleep(50);
    expect(hooks.reads).toBe(before + 1);
  });

  it('close() can be called twice', async () => {
    const store = await open();
    store.close();
    expect(() => store.close()).not.toThrow();
  });
});
