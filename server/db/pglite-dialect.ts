import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { DatabaseUnavailable } from './unavailable.js';

/** An instance whose WebAssembly module aborted answers nothing any more; it must be replaced. */
function isFatal(e: unknown, lite: PGlite): boolean {
  return lite.closed || (e instanceof Error && (e.name === 'RuntimeError' || /^Aborted\(/.test(e.message)));
}

/**
 * Kysely over PGlite, one connection at a time (PGlite has one), that replaces
 * an instance that failed for good by a fresh one opened from the same folder
 * on the next request. Until that succeeds requests fail with
 * DatabaseUnavailable (503), never with the dead instance's errors.
 */
export class ReopeningPGliteDialect implements Dialect {
  constructor(
    private readonly open: () => Promise<PGlite>,
    private readonly log: (message: string, extra?: unknown) => void,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new ReopeningDriver(this.open, this.log);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

class ReopeningDriver implements Driver {
  private lite: PGlite | undefined;
  private broken = false;
  private held = false;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly open: () => Promise<PGlite>,
    private readonly log: (message: string, extra?: unknown) => void,
  ) {}

  async init(): Promise<void> {
    this.lite = await this.open();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.held) await new Promise<void>((r) => this.waiting.push(r));
    this.held = true;
    try {
      if (this.broken || !this.lite) await this.reopen();
    } catch (e) {
      this.handOver();
      throw e;
    }
    const lite = this.lite!;
    return {
      executeQuery: async <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
        try {
          const r = await lite.query<R>(q.sql, [...q.parameters]);
          return r.affectedRows ? { rows: r.rows, numAffectedRows: BigInt(r.affectedRows) } : { rows: r.rows };
        } catch (e) {
          if (isFatal(e, lite)) {
            this.broken = true;
            this.log('PGlite failed; it will be reopened from its folder on the next request', e);
            throw new DatabaseUnavailable('database failed', e);
          }
          throw e;
        }
      },
      streamQuery: () => {
        throw new Error('streaming is not supported on PGlite');
      },
    };
  }

  private async reopen(): Promise<void> {
    const old = this.lite;
    this.lite = undefined;
    await old?.close().catch(() => {});
    try {
      this.lite = await this.open();
      this.broken = false;
      this.log('PGlite reopened');
    } catch (e) {
      this.broken = true;
      throw new DatabaseUnavailable('database failed', e);
    }
  }

  private handOver(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin'));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    // After a fatal failure there is nothing to roll back: the instance is replaced.
    if (this.broken) return;
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(): Promise<void> {
    this.handOver();
  }
  async destroy(): Promise<void> {
    await this.lite?.close().catch(() => {});
    this.lite = undefined;
  }
}
