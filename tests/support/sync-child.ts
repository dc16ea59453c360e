/**
 * A console process for the crash test: opens a file-backed ledger, connects
 * to the server on first run and syncs until caught up. With DIE_AT_SEQ set it
 * SIGKILLs itself from inside the page transaction, right after inserting the
 * event with that sequence number, so the kill lands mid-write for certain.
 */
import { createBackend } from '../../shared/node/backend/backend.js';
import type { Envelope } from '../../shared/api/envelope.js';

const [dataDir, serverUrl, username, password] = process.argv.slice(2) as [string, string, string, string];

const backend = await createBackend({ dataDir, log: () => {} });
async function call(method: string, input: unknown, session?: string): Promise<any> {
  const env: Envelope = await backend.invoke({ method, input, session } as never);
  if (!env.ok) throw new Error(`${method}: ${env.error.message}`);
  return env.result;
}

const fresh = (await call('setup.status', {})).needsAdmin as boolean;
if (fresh) await call('setup.createAdmin', { username: 'admin', displayName: 'admin', password: 'admin-password-1' });
const { token } = await call('auth.signIn', { username: 'admin', password: 'admin-password-1' });
if (fresh) await call('sync.connect', { serverUrl, username, password }, token);

const dieAt = Number(process.env.DIE_AT_SEQ ?? 0);
if (dieAt > 0) {
  backend.ledger.sqlite.function('die', () => process.kill(process.pid, 'SIGKILL'));
  backend.ledger.sqlite.exec(`create temp trigger die_mid_page after insert on ledger_events when new.seq = ${dieAt} begin select die(); end`);
}

const job = await call('sync.run', {}, token);
for (;;) {
  const j = await call('jobs.get', { id: job.id }, token);
  if (j.state !== 'running') {
    process.stdout.write(JSON.stringify({ state: j.state, result: j.result, error: j.error }) + '\n');
    await backend.close();
    process.exit(j.state === 'done' ? 0 : 1);
  }
  await new Promise((r) => setTimeout(r, 10));
}
