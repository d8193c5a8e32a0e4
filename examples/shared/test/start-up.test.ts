/**
 * The rest of the shared start-up code: `rateLimiterFor` (no limiter unless configured),
 * `openConfiguredStore` on a keys file (read-only or writable), and `exitOnStartupError`
 * (`cannot start: <reason>` and exit code 1 for start-up failures, anything else rethrown).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeysFileError } from '@keyscope/core';
import { createFixture } from '@keyscope/test-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  exitOnStartupError,
  openConfiguredStore,
  rateLimiterFor,
  StartupError,
} from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-example-shared-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('rateLimiterFor', () => {
  it('gives no limiter when KEYSCOPE_RATE_LIMIT is unset', () => {
    expect(rateLimiterFor({ rateLimit: undefined })).toBeUndefined();
  });

  it('gives a limiter with the configured limits', () => {
    const limiter = rateLimiterFor({
      rateLimit: { maxFailuresPerKeyAndAddress: 2, maxFailuresPerAddress: 20, windowMs: 60_000 },
    });
    expect(typeof limiter?.check).toBe('function');
    expect(typeof limiter?.recordFailure).toBe('function');
  });
});

describe('openConfiguredStore', () => {
  it('opens the keys file when KEYSCOPE_STORE is unset, read-only or writable', async () => {
    const { document, keys } = createFixture();
    const keysFile = join(dir, 'keys.json');
    await writeFile(keysFile, JSON.stringify(document), { mode: 0o600 });
    for (const writable of [false, true]) {
      const store = await openConfiguredStore({ keysFile }, { writable });
      try {
        expect((await store.findKey(keys.appA.id))?.id).toBe(keys.appA.id);
        expect('createKey' in store).toBe(writable);
      } finally {
        await store.close();
      }
    }
  });

  it('ends the process with "cannot start" for a keys file it cannot read', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit called');
    });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(openConfiguredStore({ keysFile: join(dir, 'missing.json') })).rejects.toThrow(
      'exit called',
    );
    expect(exit).toHaveBeenCalledWith(1);
    expect(stderr).toHaveBeenCalledOnce();
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^cannot start: /);
  });
});

describe('exitOnStartupError', () => {
  it('prints "cannot start: <message>" and exits 1 for a start-up failure', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit called');
    });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const error of [new StartupError('PORT is bad'), new KeysFileError('no keys')]) {
      expect(() => exitOnStartupError(error)).toThrow('exit called');
    }
    expect(exit.mock.calls).toEqual([[1], [1]]);
    expect(stderr.mock.calls[0]).toEqual(['cannot start: PORT is bad']);
  });

  it('rethrows anything else unchanged, without exiting', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit called');
    });
    const bug = new TypeError('a bug');
    expect(() => exitOnStartupError(bug)).toThrow(bug);
    expect(exit).not.toHaveBeenCalled();
  });
});
