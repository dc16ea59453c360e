import { expect } from 'vitest';
import type { Input, Method, Output } from '../../shared/api/contract.js';
import type { Envelope } from '../../shared/api/envelope.js';
import type { ErrorPayload } from '../../shared/common/errors.js';
import type { Role } from '../../shared/common/roles.js';
import { applyWorkerFromSource } from '../../shared/node/backend/apply-worker-source.js';
import { createBackend, type Backend } from '../../shared/node/backend/backend.js';
import { cheapScryptForTests } from '../../shared/node/secrets/kdf-cost.js';

/** A backend on an in-memory database with a clock the test moves by hand. */
export class Harness {
  clock = new Date('2026-03-02T00:00:00.000Z');
  private constructor(readonly backend: Backend) {}

  /** `now` replaces the harness's own clock (several consoles and a server on one clock, say); `dataDir` a ledger on disk (a snapshot's file swap). */
  static async start(now?: () => Date, dataDir = ':memory:'): Promise<Harness> {
    // Users made and signed in here hash at a test cost; the hashing itself is tested at production's (password.test.ts).
    cheapScryptForTests();
    let h: Harness | undefined = undefined;
    const backend = await createBackend({
      dataDir,
      now: now ?? (() => h!.clock),
      checkOutputs: true,
      log: () => {},
      // A ledger on disk applies its pages in the applier's own thread, as a packaged console does.
      ...(dataDir !== ':memory:' ? { applyThread: applyWorkerFromSource() } : {}),
    });
    h = new Harness(backend);
    return h;
  }

  advance(ms: number): void {
    this.clock = new Date(this.clock.getTime() + ms);
  }

  raw<M extends Method>(method: M, input: Input<M> | unknown, session?: string): Promise<Envelope> {
    return this.backend.invoke({ method, input, session });
  }

  async call<M extends Method>(method: M, input: Input<M>, session?: string): Promise<Output<M>> {
    const env = await this.raw(method, input, session);
    if (!env.ok) throw new Error(`${method} failed: ${JSON.stringify(env.error)}`);
    return env.result as Output<M>;
  }

  async fail<M extends Method>(method: M, input: Input<M> | unknown, session?: string): Promise<ErrorPayload> {
    const env = await this.raw(method, input, session);
    expect(env.ok, `${method} was expected to fail`).toBe(false);
    return (env as Extract<Envelope, { ok: false }>).error;
  }

  /** Runs a sync job as `session` and waits for it to end (done, failed or cancelled). */
  async sync(session: string): Promise<Output<'jobs.get'>> {
    const job = await this.call('sync.run', {}, session);
    for (let i = 0; i < 2_000; i++) {
      const j = await this.call('jobs.get', { id: job.id }, session);
      if (j.state !== 'running') return j;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('sync did not finish');
  }

  /** First-run admin, signed in. */
  async admin(): Promise<string> {
    await this.call('setup.createAdmin', { username: 'admin', displayName: '관리자', password: 'admin-password-1' });
    return (await this.call('auth.signIn', { username: 'admin', password: 'admin-password-1' })).token;
  }

  /** Creates a user with the admin's session and signs them in. */
  async user(adminSession: string, username: string, role: Role, districtCode: string | null = null): Promise<{ id: string; session: string }> {
    const user = await this.call('users.create', { username, displayName: username, password: `${username}-password-1`, role, districtCode }, adminSession);
    const { token } = await this.call('auth.signIn', { username, password: `${username}-password-1` });
    return { id: user.id, session: token };
  }

  /** A fresh session for a user made by `user()` (after the clock jumped past the idle timeout). */
  async signIn(username: string): Promise<string> {
    return (await this.call('auth.signIn', { username, password: `${username}-password-1` })).token;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
