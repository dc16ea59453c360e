/**
 * A console process for the crash test: opens a file-backed ledger, connects
 * to the server on first run and syncs until caught up, the pages applied in
 * the applier's own thread as a packaged console does. With DIE_AT_SEQ set it
 * SIGKILLs itself from inside the page transaction (die-at-seq.ts, in that
 * thread), so the kill lands mid-write for certain.
 */
import { fileURLToPath } from 'node:url';
import { applyWorkerFromSource } from '../../shared/node/backend/apply-worker-source.js';
import { createBackend } from '../../shared/node/backend/backend.js';
import type { Envelope } from '../../shared/api/envelope.js';

const [dataDir, serverUrl, username, password] = process.argv.slice(2) as [string, string, string, string];

const setup = fileURLToPath(new URL('./die-at-seq.ts', import.meta.url));
const backend = await createBackend({ dataDir, log: () => {}, applyThread: applyWorkerFromSource(setup) });
async function call(method: string, input: unknown, session?: string): Promise<any> {
  const env: Envelope = await backend.invoke({ method, input, session } as never);
  if (!env.ok) throw new Error(`${method}: ${env.error.message}`);
  return env.result;
}

const fresh = (await call('setup.status', {})).needsAdmin as boolean;
if (fresh) await call('setup.createAdmin', { username: 'admin', displayName: 'admin', password: 'admin-password-1' });
const { token } = await call('auth.signIn', { username: 'admin', password: 'admin-password-1' });
if (fresh) await call('sync.connect', { serverUrl, username, password }, token);


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
