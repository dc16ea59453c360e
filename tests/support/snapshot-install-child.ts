/**
 * Run as a child process by the kill -9 test: installs the snapshot file
 * argv[3] into the console ledger argv[2] as a first sync does, saying
 * "copying" on stdout just before the transaction starts and "done" after.
 */
import { openDatabase } from '../../shared/node/db/open.js';
import { copySnapshotTables } from '../../shared/node/sync/snapshot-tables.js';

const [ledgerFile, snapshotFile] = process.argv.slice(2);
const ledger = openDatabase(ledgerFile!);
ledger.sqlite.prepare('attach database ? as snapshot').run(snapshotFile);
process.stdout.write('copying\n');
copySnapshotTables(ledger.sqlite, 'snapshot');
ledger.sqlite.exec('detach database snapshot');
process.stdout.write('done\n');
await ledger.close();
