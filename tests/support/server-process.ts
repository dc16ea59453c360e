import { specDigest } from '../../shared/node/chain/log-hash.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { RoundSpec } from '../../shared/rounds/spec.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ROOT_USER = 'root';
export const ROOT_PASSWORD = 'root-password-1';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * How a test starts the server: the bundle the run's global set-up built (`ISSUANCE_TEST_SERVER`, see
 * pg-global-setup.ts) — what `npm run server` runs — or, outside a test run (the benches), the sources through tsx.
 * Through tsx every start compiled the server again: ~6 s a start (10 s against 4.7 s at load 9, 31 s against 18 s
 * with --demo), over twenty starts a run.
 */
function serverEntry(): string[] {
  const bundle = process.env.ISSUANCE_TEST_SERVER;
  return bundle ? [bundle] : ['--import', 'tsx', 'server/main.ts'];
}

/** `npm run server` with these arguments and environment; resolves with the child and its output so far once it exits. */
export function runServerCommand(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...serverEntry(), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output: out })));
}

/**
 * The central server as `npm run server` runs it, in its own process, on the
 * PostgreSQL database at `db` or on a PGlite folder (`{ dataDir }`), on a free
 * loopback port, with `root` / `root-password-1` as its first administrator
 * (the password passed in the environment, never on the command line).
 */
export async function startServerProcess(db: string | { dataDir: string }, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ServerProcess> {
  const where = typeof db === 'string' ? { DATABASE_URL: db } : { DATABASE_URL: '' };
  const dirArgs = typeof db === 'string' ? [] : ['--data-dir', db.dataDir];
  const child = spawn(process.execPath, [...serverEntry(), '--port', '0', '--admin', ROOT_USER, ...dirArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...where, ISSUANCE_ADMIN_PASSWORD: ROOT_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    // A server filling the demo data set first takes longer to listen.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), args.includes('--demo') ? 240_000 : 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /Listening at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A round put on sale on a running server over HTTP, as the protocol wants it:
 * proposed by one official, published by another, scheduled, and opened once
 * its opening time (a couple of seconds ahead, by the server's real clock) has
 * come. Returns the spec as published.
 */
export async function openSaleRound(url: string, rootToken: string, roundId: string, spec: RoundSpec): Promise<RoundSpec> {
  const post = async (path: string, body: unknown, token: string) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const official = async (username: string) => {
    const password = `${username}-password-1`;
    await post('/api/users', { username, displayName: username, password, role: 'official', districtCode: null }, rootToken);
    return (await post('/api/auth/sign-in', { username, password }, rootToken)).token as string;
  };
  const started = Date.now();
  const proposer = await official(`${roundId}-author`.slice(0, 32));
  const approver = await official(`${roundId}-approver`.slice(0, 32));
  // The opening must still be ahead when the schedule command arrives, after the proposal and the publication: a
  // fixed 2 s was passed at load ~15 (counter-find: lifecycle.opensInPast). The two accounts just made (four
  // password hashes) took longer than those three commands will, so their time is added to the margin.
  const opensAt = new Date(Date.now() + 2_000 + (Date.now() - started));
  const published = { ...spec, opensAt: opensAt.toISOString(), closesAt: new Date(opensAt.getTime() + 86_400_000).toISOString() };
  const command = async (body: Record<string, unknown>, token: string) => {
    const r = await post('/api/commands', { commandId: randomUUID(), sentAt: new Date().toISOString(), roundId, ...body }, token);
    if (r.status !== 'accepted') throw new Error(`${String(body.type)} ${String(body.action ?? '')}: ${JSON.stringify(r.reason)}`);
  };
  await command({ type: 'propose_round', version: 1, spec: published }, proposer);
  await command({ type: 'publish_round', version: 1, specDigest: specDigest(published) }, approver);
  await command({ type: 'round_transition', action: 'schedule' }, approver);
  await new Promise((r) => setTimeout(r, Math.max(0, opensAt.getTime() - Date.now() + 50)));
  await command({ type: 'round_transition', action: 'open' }, approver);
  return published;
}
