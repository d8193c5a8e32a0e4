/**
 * A writer process for the cross-process tests of the writable file store: opens the keys file
 * given as argv[2] and, from the instant argv[5] (ms since the epoch, so that several writers start
 * together), creates argv[3] user-account keys for account argv[4], one after the other, then
 * prints the ids it created as one JSON line. argv[6], if given, is a JSON object of store options
 * (`lockTimeout`, `staleLockAge`). With `KEYSCOPE_TEST_STALL_MS` set, the writer freezes its whole
 * event loop for that long (so it cannot refresh its lock) just before it writes its temporary
 * file, the last step before the rename: the test can then take the lock over, as another writer
 * would once the lock looks abandoned. It prints `stalling` when the freeze starts, and a failure
 * as one JSON line `{"error":"<code>"}` (exit code 3).
 */

import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { openWritableFileStore } from '../../src/index.js';

const [file, count, account, startAt, options = '{}'] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string?,
];

const stall = Number(process.env.KEYSCOPE_TEST_STALL_MS ?? 0);
if (stall > 0) {
  const open = fsPromises.open;
  fsPromises.open = (async (...args: Parameters<typeof open>) => {
    if (String(args[0]).endsWith('.tmp')) {
      process.stdout.write('stalling\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stall);
    }
    return open(...args);
  }) as typeof open;
  syncBuiltinESMExports();
}

const store = await openWritableFileStore(file, { watch: false, ...JSON.parse(options) });
await new Promise((done) => setTimeout(done, Math.max(0, Number(startAt) - Date.now())));
const ids: string[] = [];
try {
  for (let i = 0; i < Number(count); i++) {
    const { record } = await store.createKey({
      entity: { type: 'userAccount', id: account },
      displayName: `writer ${process.pid} #${i}`,
    });
    ids.push(record.id);
  }
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as { code?: string }).code })}\n`);
  process.exitCode = 3;
} finally {
  store.close();
}
if (process.exitCode !== 3) process.stdout.write(`${JSON.stringify(ids)}\n`);
