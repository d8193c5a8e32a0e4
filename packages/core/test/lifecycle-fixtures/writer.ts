/**
 * A writer process for the cross-process tests of the writable file store: opens the keys file
 * given as argv[2] and, from the instant argv[5] (ms since the epoch, so that several writers start
 * together), creates argv[3] user-account keys for account argv[4], one after the other, then
 * prints the ids it created as one JSON line.
 */
import { openWritableFileStore } from '../../src/index.js';

const [file, count, account, startAt] = process.argv.slice(2) as [string, string, string, string];
const store = await openWritableFileStore(file, { watch: false });
await new Promise((done) => setTimeout(done, Math.max(0, Number(startAt) - Date.now())));
const ids: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const { record } = await store.createKey({
    entity: { type: 'userAccount', id: account },
    displayName: `writer ${process.pid} #${i}`,
  });
  ids.push(record.id);
}
store.close();
process.stdout.write(`${JSON.stringify(ids)}\n`);
