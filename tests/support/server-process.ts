import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { RoundSpec } from '../../shared/rounds/spec.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * The central server as `npm run server` runs it, in its own process, on the
 * database at `dbUrl`, on a free loopback port, with `root` / `root-password-1`
 * as its first administrator.
 */
export async function startServerProcess(dbUrl: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--admin', 'root:root-password-1'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
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
  const proposer = await official(`${roundId}-author`.slice(0, 32));
  const approver = await official(`${roundId}-approver`.slice(0, 32));
  const opensAt = new Date(Date.now() + 2_000);
  const published = { ...spec, opensAt: opensAt.toISOString(), closesAt: new Date(opensAt.getTime() + 86_400_000).toISOString() };
  const command = async (body: Record<string, unknown>, token: string) => {
    const r = await post('/api/commands', { commandId: randomUUID(), sentAt: new Date().toISOString(), roundId, ...body }, token);
    if (r.status !== 'accepted') throw new Error(`${String(body.type)} ${String(body.action ?? '')}: ${JSON.stringify(r.reason)}`);
  };
  await command({ type: 'propose_round', version: 1, spec: published }, proposer);
  await command({ type: 'publish_round', version: 1 }, approver);
  await command({ type: 'round_transition', action: 'schedule' }, approver);
  await new Promise((r) => setTimeout(r, Math.max(0, opensAt.getTime() - Date.now() + 50)));
  await command({ type: 'round_transition', action: 'open' }, approver);
  return published;
}
