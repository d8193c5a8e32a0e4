/**
 * The permissions a keys file should have, and the check made when one is opened. The file holds
 * secrets in clear, so keyscope writes it readable and writable by its owner only (0600), and a
 * file whose mode lets its group or other users read or change it (a hand-made file, a copy made
 * with the default umask) is reported once at open: by `onWarning`, or else by
 * `process.emitWarning` with the code `KEYSCOPE_KEYS_FILE_MODE`. The file is still used: refusing
 * it would take a running service down over a permission. Windows has no such mode bits (Node
 * reports 0666 or 0444 for every file), so the check is skipped there.
 */
import { stat } from 'node:fs/promises';

/** The mode keyscope gives every keys file it writes. */
export const OWNER_ONLY_MODE = 0o600;

/** The code of the warning, for `process.emitWarning` and `onWarning`. */
export const KEYS_FILE_MODE_WARNING = 'KEYSCOPE_KEYS_FILE_MODE';

/** A warning about a keys file that keyscope still uses (today: its mode). */
export interface KeysFileWarning {
  readonly code: typeof KEYS_FILE_MODE_WARNING;
  /** One line: the file, its mode, who may read or change it, and the fix. */
  readonly message: string;
  /** The absolute path of the keys file. */
  readonly path: string;
  /** The file's permission bits, such as `0o644`. */
  readonly mode: number;
}

/**
 * Reports `file` through `report` (default `process.emitWarning`) when its mode lets anyone but
 * its owner read or change it. A file that cannot be inspected is not reported (reading it
 * already succeeded or failed on its own).
 */
export async function checkKeysFileMode(
  file: string,
  report: ((warning: KeysFileWarning) => void) | undefined,
  platform: NodeJS.Platform = process.platform,
): Promise<void> {
  if (platform === 'win32') return;
  const mode = await stat(file).then(
    (stats) => stats.mode & 0o777,
    () => undefined,
  );
  if (mode === undefined || (mode & 0o066) === 0) return;
  const access = (read: number, write: number, who: string) =>
    mode & read
      ? `${who} may read${mode & write ? ' and change' : ''} it`
      : mode & write
        ? `${who} may change it`
        : '';
  const details = [access(0o040, 0o020, 'its group'), access(0o004, 0o002, 'other users')]
    .filter(Boolean)
    .join('; ');
  const warning: KeysFileWarning = {
    code: KEYS_FILE_MODE_WARNING,
    message: `${file}: the keys file holds secrets, but its mode is ${octal(mode)} (${details}); restrict it with \`chmod 600\` (keyscope writes it 0600)`,
    path: file,
    mode,
  };
  if (report) report(warning);
  else process.emitWarning(warning.message, { code: warning.code });
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
