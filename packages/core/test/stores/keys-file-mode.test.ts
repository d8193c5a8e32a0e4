/**
 * The keys file's mode (issue 18, item 6): a file that its group or other users may read or change
 * is used, and reported once at open, through `onWarning` or else `process.emitWarning` with the
 * code `KEYSCOPE_KEYS_FILE_MODE`; an owner-only file is not; the check follows a symbolic link to
 * the file and is skipped on Windows. That keyscope writes the file 0600 is tested with the writes
 * (`writable-file.test.ts`, "atomic writes").
 */
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type KeysDocument,
  type KeysFileWarning,
  openFileStore,
  openWritableFileStore,
} from '../../src/index.js';
import { checkKeysFileMode } from '../../src/internal/keys-file-mode.js';

const DOCUMENT: KeysDocument = { version: 1, apps: [], serviceAccounts: [], keys: [] };

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-mode-'));
  file = join(dir, 'keys.json');
  await writeFile(file, JSON.stringify(DOCUMENT));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function warningsAt(mode: number): Promise<KeysFileWarning[]> {
  await chmod(file, mode);
  const warnings: KeysFileWarning[] = [];
  const store = await openFileStore(file, { watch: false, onWarning: (w) => warnings.push(w) });
  store.close();
  return warnings;
}

describe.skipIf(process.platform === 'win32')('a keys file others may read', () => {
  it.each([
    ['0644', 'its group may read it; other users may read it'],
    ['0640', 'its group may read it'],
    ['0604', 'other users may read it'],
    ['0660', 'its group may read and change it'],
    ['0620', 'its group may change it'],
    ['0666', 'its group may read and change it; other users may read and change it'],
  ])('mode %s is reported at open, and the file is used', async (octal, details) => {
    const mode = Number.parseInt(octal, 8);
    const warnings = await warningsAt(mode);
    expect(warnings).toEqual([
      {
        code: 'KEYSCOPE_KEYS_FILE_MODE',
        message: `${file}: the keys file holds secrets, but its mode is ${octal} (${details}); restrict it with \`chmod 600\` (keyscope writes it 0600)`,
        path: file,
        mode,
      },
    ]);
  });

  it.each(['0600', '0400', '0700'])('mode %s (owner only) is not reported', async (octal) => {
    expect(await warningsAt(Number.parseInt(octal, 8))).toEqual([]);
  });

  it('by default, one process warning with the code KEYSCOPE_KEYS_FILE_MODE', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await chmod(file, 0o644);
    const store = await openFileStore(file, { watch: false });
    store.close();
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted).toHaveBeenCalledWith(
      expect.stringMatching(/^.*keys\.json: the keys file holds secrets, but its mode is 0644 /),
      { code: 'KEYSCOPE_KEYS_FILE_MODE' },
    );
  });

  it('the writable store reports it too, once, at open (not on each write)', async () => {
    await chmod(file, 0o640);
    const warnings: KeysFileWarning[] = [];
    const store = await openWritableFileStore(file, {
      watch: false,
      onWarning: (w) => warnings.push(w),
    });
    await store.addApp({ id: 'app_a', accountId: 'acc_1' });
    store.close();
    expect(warnings.map((w) => w.mode)).toEqual([0o640]);
  });

  it('follows a symbolic link: the mode of the file it names counts', async () => {
    await chmod(file, 0o644);
    const link = join(dir, 'link.json');
    await symlink(file, link);
    const warnings: KeysFileWarning[] = [];
    const store = await openFileStore(link, { watch: false, onWarning: (w) => warnings.push(w) });
    store.close();
    expect(warnings.map((w) => [w.path, w.mode])).toEqual([[link, 0o644]]);
  });
});

describe('where the check does not apply', () => {
  it('is skipped on Windows (no such mode bits there)', async () => {
    await chmod(file, 0o666);
    const report = vi.fn();
    await checkKeysFileMode(file, report, 'win32');
    expect(report).not.toHaveBeenCalled();
    await checkKeysFileMode(file, report, 'linux');
    expect(report).toHaveBeenCalledOnce();
  });

  it('a file that cannot be inspected is not reported', async () => {
    const report = vi.fn();
    await checkKeysFileMode(join(dir, 'missing.json'), report, 'linux');
    expect(report).not.toHaveBeenCalled();
  });
});
