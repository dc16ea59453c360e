import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../server/app.js';
import { closeServer } from '../../server/http/close.js';
import { createUser } from '../../server/auth/server-auth.js';
import { connectServerDb, migrateServer, type ServerDb } from '../../server/db/connect.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { specDigest } from '../../shared/node/chain/log-hash.js';
import { createDatabase, startPostgres, type TestPostgres } from '../../tests/support/postgres.js';
import type { ServerCheck } from './rehearsal.js';

/** A central server of the rehearsal's own: PostgreSQL (DATABASE_URL, or a throw-away cluster as the tests start), a clock it can hold before an opening, and two officials. */
export class RehearsalServer {
  /** The server's clock: real time while null. */
  clock: Date | null = null;
  official = '';
  official2 = '';

  private constructor(
    readonly sdb: ServerDb,
    readonly app: FastifyInstance,
    readonly url: string,
    readonly dbUrl: string,
    private readonly pg: TestPostgres | undefined,
    /** Stops what `attach` put on the server (the sale service) before the database closes. */
    private readonly detach: (() => Promise<void>) | undefined,
  ) {}

  static async start(o: { databaseUrl?: string | undefined; attach?: (app: FastifyInstance, sdb: ServerDb) => Promise<() => Promise<void>> } = {}): Promise<RehearsalServer> {
    const pg = o.databaseUrl ? undefined : await startPostgres();
    const dbUrl = o.databaseUrl ?? (await createDatabase(pg!.url));
    const sdb = await connectServerDb({ url: dbUrl });
    await migrateServer(sdb.db);
    let s: RehearsalServer | undefined;
    const app = await buildServer({ db: sdb.db, log: () => {}, now: () => s?.clock ?? new Date() });
    const detach = await o.attach?.(app, sdb);
    await app.listen({ port: 0, host: '127.0.0.1' });
    s = new RehearsalServer(sdb, app, `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, dbUrl, pg, detach);
    const password = () => `${randomBytes(12).toString('hex')}-Aa1!`;
    s.official = await s.user(`rehearsal-kim-${randomUUID().slice(0, 8)}`, password());
    s.official2 = await s.user(`rehearsal-lee-${randomUUID().slice(0, 8)}`, password());
    return s;
  }

  private async user(username: string, password: string): Promise<string> {
    await createUser(this.sdb.db, { username, displayName: username, password, role: 'official', districtCode: null });
    const r = await this.request('POST', '/api/auth/sign-in', { username, password });
    return (r.body as { token: string }).token;
  }

  async request(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  private async command(body: Record<string, unknown>, token: string): Promise<void> {
    const r = await this.request('POST', '/api/commands', { commandId: randomUUID(), sentAt: (this.clock ?? new Date()).toISOString(), ...body }, token);
    const result = r.body as { status?: string };
    if (result.status !== 'accepted') throw new Error(`${String(body.type)} refused: ${JSON.stringify(r.body)}`);
  }

  /**
   * The round proposed by one official, published by the other, scheduled
   * and opened, the server's clock held at the opening for it, then real time
   * again: buyers who come before `opensAt` queue as early arrivals do.
   */
  async openRound(roundId: string, spec: RoundSpec): Promise<void> {
    this.clock = new Date(Date.parse(spec.opensAt) - 3_600_000);
    await this.command({ type: 'propose_round', roundId, version: 1, spec }, this.official);
    await this.command({ type: 'publish_round', roundId, version: 1, specDigest: specDigest(spec) }, this.official2);
    await this.command({ type: 'round_transition', roundId, action: 'schedule' }, this.official2);
    this.clock = new Date(spec.opensAt);
    await this.command({ type: 'round_transition', roundId, action: 'open' }, this.official2);
    this.clock = null;
  }

  /** The server's purchase check, as an official asks it over HTTP. */
  async check(saleUrl: string, roundId: string): Promise<ServerCheck> {
    return checkOverHttp(saleUrl, roundId, this.official);
  }

  async close(): Promise<void> {
    await closeServer(this.app);
    await this.detach?.();
    await this.sdb.close();
    await this.pg?.stop();
  }
}

/** `GET /api/sale/ROUND/check` with a staff token. */
export async function checkOverHttp(saleUrl: string, roundId: string, token: string): Promise<ServerCheck> {
  const res = await fetch(`${saleUrl}/api/sale/${roundId}/check`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`sale check answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ServerCheck;
}
