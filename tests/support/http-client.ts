import { canonicalEvent, chainHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import type { ServerDb } from '../../server/db/connect.js';
import { ROOT_PASSWORD, ROOT_USER } from './server-process.js';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A hand-made JSON request to a server at `base`, as any HTTP client could send it. */
export async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function signInAs(base: string, username = ROOT_USER, password = ROOT_PASSWORD): Promise<string> {
  const r = await call(base, 'POST', '/api/auth/sign-in', { username, password });
  if (r.status !== 200) throw new Error(`sign-in as ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** Recomputes the server log's hash chain from the genesis; returns the head it reaches, or throws at the first break. */
export async function verifyServerChain(sdb: ServerDb): Promise<{ seq: number; hash: string }> {
  const rows = await sdb.db.selectFrom('events').select(['seq', 'payload', 'hash']).orderBy('seq').execute();
  let hash = LOG_GENESIS;
  let seq = 0;
  for (const r of rows) {
    seq++;
    if (Number(r.seq) !== seq) throw new Error(`gap at ${seq}`);
    hash = chainHash(hash, seq, r.payload);
    if (hash !== r.hash) throw new Error(`chain breaks at ${seq}`);
    if (canonicalEvent(JSON.parse(r.payload)) !== r.payload) throw new Error(`payload at ${seq} is not canonical`);
  }
  const head = await sdb.db.selectFrom('log_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  if (Number(head.seq) !== seq || head.hash !== hash) throw new Error('log head does not match the events');
  return { seq, hash };
}

/** `call`, for set-up steps that must succeed: the answer's body, or an error naming the path and the reply. */
export async function callOk(base: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const r = await call(base, method, path, body, token);
  if (r.status < 200 || r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
