import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { appendAudit } from '../kernel/audit-append.js';
import type { SyncClient } from '../sync/client.js';
import { emptySyncHooks } from '../sync/sync-hooks.js';
import { AuditService } from './audit-service.js';

let l: LedgerDb;
let logged: { message: string; extra: unknown }[];
/** What the fake server's anchor listing does on the next call: answer with this console's head, or break. */
let anchorsReply: 'head' | Error;

beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  await l.db.transaction().execute((trx) =>
    appendAudit(trx, { at: '2026-03-02T00:01:00.000Z', actorId: 'u1', actorName: '김', action: 'round.update', entityType: 'round', entityId: 'r1', details: {} }),
  );
  logged = [];
  anchorsReply = 'head';
});
afterEach(() => l.close());

function service(): AuditService {
  const client = {
    anchors: async (consoleId: string) => {
      if (anchorsReply instanceof Error) throw anchorsReply;
      const head = await l.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      return { anchors: [{ consoleId, seq: head.seq, hash: head.hash, receivedAt: '2026-03-02T00:02:00.000Z' }], next: null };
    },
  } as unknown as SyncClient;
  return new AuditService(l.db, () => new Date('2026-03-02T00:03:00.000Z'), { client: async () => client }, (message, extra) => logged.push({ message, extra }));
}

describe('audit check after a sync', () => {
  it('shows "could not verify" and logs the cause when the check breaks, instead of keeping the last "ok"', async () => {
    const audit = service();
    const hooks = emptySyncHooks();
    audit.register(hooks);
    await hooks.afterSync[0]!();
    expect(audit.last).toMatchObject({ verdict: 'ok', error: null });

    // Not a server answer (those are "unreachable"): a fault in the check itself.
    anchorsReply = new TypeError('anchors is not iterable');
    await expect(hooks.afterSync[0]!()).resolves.toBeUndefined();
    expect(audit.last).toMatchObject({ ok: false, verdict: 'failed', error: { key: 'errors.internal', message: 'anchors is not iterable' } });
    expect(logged).toEqual([{ message: 'audit verification failed', extra: anchorsReply }]);

    anchorsReply = 'head';
    await hooks.afterSync[0]!();
    expect(audit.last).toMatchObject({ verdict: 'ok', error: null });
  });

  it('throws the failure to an administrator who asked, after recording it', async () => {
    const audit = service();
    anchorsReply = new RangeError('bad page');
    await expect(audit.verify()).rejects.toThrow('bad page');
    expect(audit.last?.verdict).toBe('failed');
  });
});
