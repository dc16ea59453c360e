import type { KeyObject } from 'node:crypto';
import { specDigest } from '../../shared/node/chain/log-hash.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect, inject } from 'vitest';
import { createDatabase } from './postgres.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../../server/app.js';
import { SnapshotStore } from '../../server/log/snapshots.js';
import { createUser } from '../../server/auth/server-auth.js';
import { connectServerDb, migrateServer, type ServerDb } from '../../server/db/connect.js';
import type { Role } from '../../shared/common/roles.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import type { CommandResult, RoundTransition } from '../../shared/sync/protocol.js';
import { closeServer } from '../../server/http/close.js';

/** Session tokens of the standard staff. */
export interface Staff {
  admin: string;
  official: string;
  official2: string;
}

/** A central server on its own fresh database in the run's PostgreSQL cluster, listening on loopback. */
export class ServerHarness {
  /** The server's clock: real time while null, else this instant (tests move it by hand). */
  clock: Date | null = null;

  private constructor(
    readonly sdb: ServerDb,
    readonly app: FastifyInstance,
    readonly url: string,
    readonly dbUrl: string,
    /** The server's first-sync snapshots, so a test can wait for a build (`idle`) or start one. */
    readonly snapshots: SnapshotStore,
  ) {}

  /** `now` overrides the clock altogether (a console harness's clock, say). */
  static async start(
    options: { now?: () => Date; pgliteDir?: string; snapshotRebuildAfter?: number; noSnapshots?: boolean; snapshotKey?: KeyObject; adminUrl?: string; database?: string } = {},
  ): Promise<ServerHarness> {
    // `pgliteDir`: the embedded database `npm run server` uses without DATABASE_URL, instead of the test PostgreSQL.
    // `adminUrl`: a cluster of a script's own (a bench), outside the test run that provides `pgUrl`.
    const dbUrl = options.pgliteDir ? '' : await createDatabase(options.adminUrl ?? inject('pgUrl'), options.database);
    const sdb = await connectServerDb(options.pgliteDir ? { dataDir: options.pgliteDir, log: () => {} } : { url: dbUrl });
    await migrateServer(sdb.db);
    let h: ServerHarness | undefined = undefined;
    const snapshots = new SnapshotStore(sdb.db, { dir: mkdtempSync(join(tmpdir(), 'ic-snapshots-')), rebuildAfter: options.snapshotRebuildAfter, off: options.noSnapshots, key: options.snapshotKey });
    const app = await buildServer({ db: sdb.db, log: () => {}, now: options.now ?? (() => h!.now()), snapshots });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    h = new ServerHarness(sdb, app, `http://127.0.0.1:${port}`, dbUrl, snapshots);
    if (options.now) h.now = options.now;
    return h;
  }

  now(): Date {
    return this.clock ?? new Date();
  }

  /**
   * A user made directly in the database (as `npm run server -- --admin` does for the first), signed in.
   * The password defaults to `<username>-password-1`; give the console's to sign in from a console as the same person.
   */
  async user(username: string, role: Role, districtCode: string | null = null, password = `${username}-password-1`): Promise<string> {
    await createUser(this.sdb.db, { username, displayName: username, password, role, districtCode });
    const r = await this.post('/api/auth/sign-in', { username, password });
    return (r.body as { token: string }).token;
  }

  /** A command as a console sends it: a fresh id and `sentAt` = the server's now unless given. */
  async command(body: Record<string, unknown>, token: string): Promise<{ status: number; body: unknown; result: CommandResult }> {
    const r = await this.post('/api/commands', { commandId: randomUUID(), sentAt: this.now().toISOString(), ...body }, token);
    return { ...r, result: r.body as CommandResult };
  }

  /** The administrator and two officials (kim proposes, lee approves) most server tests start from, signed in. */
  async staff(): Promise<Staff> {
    return { admin: await this.user('admin', 'admin'), official: await this.user('kim', 'official'), official2: await this.user('lee', 'official') };
  }

  /** A round opened as `openRound` does, then a simulated sale played into it by the administrator. */
  async openSale(roundId: string, spec: RoundSpec, staff: Staff, at: Date, sale: { purchases: number; seed: number; usesShare: number }): Promise<void> {
    await this.openRound(roundId, spec, staff.official, staff.official2, at);
    expect((await this.post('/api/feed/sale', { roundId, ...sale }, staff.admin)).status).toBe(200);
  }

  /** A round version proposed by one official and published by another, both accepted. */
  async publish(roundId: string, version: number, spec: RoundSpec, proposer: string, approver: string): Promise<CommandResult> {
    expect((await this.command({ type: 'propose_round', roundId, version, spec }, proposer)).result).toMatchObject({ status: 'accepted' });
    const published = (await this.command({ type: 'publish_round', roundId, version, specDigest: specDigest(spec) }, approver)).result;
    expect(published).toMatchObject({ status: 'accepted' });
    return published;
  }

  async transition(roundId: string, action: RoundTransition, token: string): Promise<CommandResult> {
    return (await this.command({ type: 'round_transition', roundId, action }, token)).result;
  }

  /**
   * A round published, scheduled and opened on the server, its clock moved to `at` (inside the window).
   * The clock is set before the opening first, as the schedule rule wants.
   */
  async openRound(roundId: string, spec: RoundSpec, proposer: string, approver: string, at: Date): Promise<void> {
    this.clock = new Date(Date.parse(spec.opensAt) - 3_600_000);
    await this.publish(roundId, 1, spec, proposer, approver);
    expect(await this.transition(roundId, 'schedule', approver)).toMatchObject({ status: 'accepted' });
    this.clock = at;
    expect(await this.transition(roundId, 'open', approver)).toMatchObject({ status: 'accepted' });
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

  private takenLots = new Set<string>();
  /** An unused, active lot of the round in `district` that no earlier call of this harness handed out. */
  async unusedLot(roundId: string, district: string): Promise<{ lot_id: string; paid: number }> {
    const rows = await this.sdb.db.selectFrom('lots').select(['lot_id', 'paid']).where('round_id', '=', roundId).where('district_code', '=', district).where('status', '=', 'active').where('used', '=', '0').orderBy('lot_id').execute();
    const lot = rows.find((r) => !this.takenLots.has(r.lot_id));
    expect(lot).toBeDefined();
    this.takenLots.add(lot!.lot_id);
    return { lot_id: lot!.lot_id, paid: Number(lot!.paid) };
  }

  post(path: string, body: unknown, token?: string) {
    return this.request('POST', path, body, token);
  }

  get(path: string, token?: string) {
    return this.request('GET', path, undefined, token);
  }

  async close(): Promise<void> {
    await this.snapshots.idle();
    rmSync(this.snapshots.dir, { recursive: true, force: true });
    await closeServer(this.app);
    await this.sdb.close();
  }
}
