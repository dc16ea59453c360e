import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createDatabase } from './postgres.js';
import { buildServer } from '../../server/app.js';
import { createUser } from '../../server/auth/server-auth.js';
import { connectServerDb, migrateServer, type ServerDb } from '../../server/db/connect.js';
import type { Role } from '../../shared/common/roles.js';

/** A central server on its own fresh database in the run's PostgreSQL cluster, listening on loopback. */
export class ServerHarness {
  private constructor(
    readonly sdb: ServerDb,
    readonly app: FastifyInstance,
    readonly url: string,
    readonly dbUrl: string,
  ) {}

  static async start(): Promise<ServerHarness> {
    const dbUrl = await createDatabase(inject('pgUrl'));
    const sdb = await connectServerDb({ url: dbUrl });
    await migrateServer(sdb.db);
    const app = await buildServer({ db: sdb.db, log: () => {} });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    return new ServerHarness(sdb, app, `http://127.0.0.1:${port}`, dbUrl);
  }

  /** A user made directly in the database (as `npm run server -- --admin` does for the first), signed in. */
  async user(username: string, role: Role, districtCode: string | null = null): Promise<string> {
    await createUser(this.sdb.db, { username, displayName: username, password: `${username}-password`, role, districtCode });
    const r = await this.post('/api/auth/sign-in', { username, password: `${username}-password` });
    return (r.body as { token: string }).token;
  }

  async request(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown; text: string }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* NDJSON or plain text */
    }
    return { status: res.status, body: parsed, text };
  }

  post(path: string, body: unknown, token?: string) {
    return this.request('POST', path, body, token);
  }

  get(path: string, token?: string) {
    return this.request('GET', path, undefined, token);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.sdb.close();
  }
}
