/**
 * A writer process for the cross-process tests of the writable file store: opens the keys file
 * given as argv[2] and creates argv[3] user-account keys for account argv[4], one after the other,
 * then prints the ids it created as one JSON line.
 */
import { openWritableFileStore } from '../../src/index.js';

const [file, count, account] = process.argv.slice(2) as [string, string, string];
const store = await openWritableFileStore(file, { watch: false });
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
