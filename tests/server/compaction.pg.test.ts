import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../shared/ledger/events.js';
import { LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../../shared/node/db/open.js';
import { SyncApplier } from '../../shared/node/sync/apply.js';
import { parsePage } from '../../shared/node/sync/client.js';
import { SyncError } from '../../shared/node/sync/sync-error.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { lockHead, writeEvents } from '../../server/log/append.js';
import { applyLedgerEvent } from '../../server/log/state.js';
import { SnapshotStore } from '../../server/log/snapshots.js';
import { ServerHarness, type Staff } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * Compaction of settled uses (shared/sync/use-checkpoint.ts), end to end
 * against a real server: a generated history over six Seoul days, days 0–2
 * closed, day 3 closed then reopened, day 4 and 5 never closed; a fold by
 * hand-made request; then consoles that replay every event, start fresh on
 * folded pages, or had pulled part of the history before the fold. Every
 * expected figure comes from the generator's own bookkeeping below.
 */
const ROUND = 'round-fold';
const DISTRICTS = ['11680', '11440', '11110'];
const MERCHANTS = ['11680', '11440', '11110', '11500', null];
const DAY = 86_400_000;

let s: ServerHarness;
let staff: Staff;
let clerk: string;
let spec: RoundSpec;
let opens: number;

/** mulberry32: the history is the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GenLot {
  lotId: string;
  district: string;
  face: number;
  paid: number;
  used: number;
  refunded: number;
  status: 'active' | 'refunded';
}

/** What the generator wrote, kept by hand: per lot, per (Seoul day, lot district) and per merchant district. */
const lots = new Map<string, GenLot>();
const usesByDayDistrict = new Map<string, { n: number; amount: number }>();
const usesByMerchant = new Map<string, { n: number; amount: number }>();
const useDays = new Map<number, number>();
const GIFT_LOT = 'lot-gift';
/** The lot whose holder receives the gift, and that holder. */
let gift: { lotId: string; buyerId: string } | undefined;
/** Gifts written so far: a lot's uses either side of a gift are two runs (lot:gifts before), two checkpoints. */
let giftsWritten = 0;
/** Uses on the closed days 0–2, by Seoul day: what a fold through that day may take, with the runs (lot:run) it makes. */
const foldable = new Map<number, { uses: number; lots: Set<string> }>();
const foldableThrough = (last: number, first = 0) => {
  let uses = 0;
  const lotIds = new Set<string>();
  for (let d = first; d <= last; d++) {
    uses += foldable.get(d)?.uses ?? 0;
    for (const id of foldable.get(d)?.lots ?? []) lotIds.add(id);
  }
  return { uses, lots: lotIds };
};

const seoulDay = (d: number) => new Date(opens + d * DAY + 9 * 3_600_000).toISOString().slice(0, 10);
const bump = (m: Map<string, { n: number; amount: number }>, k: string, amount: number) => {
  const c = m.get(k) ?? { n: 0, amount: 0 };
  c.n++;
  c.amount += amount;
  m.set(k, c);
};

/** Appends one day's events through the server's own rules (applyLedgerEvent) at that day's instant. */
async function writeDay(events: LedgerEvent[], at: Date): Promise<void> {
  await s.sdb.db.transaction().execute(async (trx) => {
    const head = await lockHead(trx);
    for (const ev of events) {
      const v = await applyLedgerEvent(trx, ev, at);
      expect(v, `${ev.type} ${ev.lotId}`).toMatchObject({ ok: true });
    }
    await writeEvents(trx, head, events, 'test:generator', at);
  });
}

async function generate(): Promise<void> {
  const r = rng(2112);
  const at0 = new Date(opens + 3_600_000);
  const purchases: LedgerEvent[] = [];
  for (let i = 0; i < 60; i++) {
    const face = r() < 0.5 ? 50_000 : 100_000;
    const paid = face - (face * 700) / 10_000;
    const district = DISTRICTS[i % DISTRICTS.length]!;
    const lotId = `lot-${String(i).padStart(3, '0')}`;
    purchases.push({ type: 'purchase', eventId: `p-${i}`, roundId: ROUND, lotId, at: at0.toISOString(), buyerId: `buyer-${i}`, districtCode: district, face, paid, paymentMethod: 'bank_transfer' });
    lots.set(lotId, { lotId, district, face, paid, used: 0, refunded: 0, status: 'active' });
  }
  // A lot kept whole to be gifted on day 2, between two folded uses of the recipient’s lot.
  purchases.push({ type: 'purchase', eventId: 'p-gift', roundId: ROUND, lotId: GIFT_LOT, at: at0.toISOString(), buyerId: 'giver', districtCode: DISTRICTS[0]!, face: 50_000, paid: 46_500, paymentMethod: 'bank_transfer' });
  lots.set(GIFT_LOT, { lotId: GIFT_LOT, district: DISTRICTS[0]!, face: 50_000, paid: 46_500, used: 0, refunded: 0, status: 'active' });
  await writeDay(purchases, at0);
  let n = 0;
  // The gift's recipient holds a 100,000 lot first used on day 2, before and after the gift.
  const recipient = [...lots.values()].find((l) => l.face === 100_000)!;
  gift = { lotId: recipient.lotId, buyerId: `buyer-${Number(recipient.lotId.slice(4))}` };
  const useOf = (lot: GenLot, d: number, at: Date, amount: number, merchant: string | null): LedgerEvent => {
    lot.used += amount;
    bump(usesByDayDistrict, `${seoulDay(d)}|${lot.district}`, amount);
    bump(usesByMerchant, merchant ?? '-', amount);
    useDays.set(d, (useDays.get(d) ?? 0) + 1);
    if (d <= 2) {
      const f = foldable.get(d) ?? { uses: 0, lots: new Set<string>() };
      f.uses++;
      f.lots.add(`${lot.lotId}:${giftsWritten}`);
      foldable.set(d, f);
    }
    return { type: 'use', eventId: `u-${n++}`, roundId: ROUND, lotId: lot.lotId, at: at.toISOString(), amount, merchantDistrict: merchant };
  };
  for (let d = 0; d <= 4; d++) {
    const at = new Date(opens + d * DAY + 2 * 3_600_000);
    const uses: LedgerEvent[] = [];
    for (const lot of lots.values()) {
      const skip = r() < 0.35;
      if (lot.lotId === GIFT_LOT || (lot === recipient && d < 2)) continue;
      if (skip && !(lot === recipient && d === 2)) continue;
      const left = lot.face - lot.used;
      const amount = Math.min(left, 10_000 * (1 + Math.floor(r() * 3)));
      if (amount <= 0) continue;
      uses.push(useOf(lot, d, at, amount, MERCHANTS[Math.floor(r() * MERCHANTS.length)]!));
    }
    await writeDay(uses, at);
    if (d === 2) {
      // 100,000 − the morning's use + 50,000 is within the 140,000 holding limit here, but not on a console
      // that would count the morning's use only at the recipient's last folded use, after the gift.
      const giftAt = new Date(opens + 2 * DAY + 3 * 3_600_000);
      await writeDay([{ type: 'gift', eventId: 'g-1', roundId: ROUND, lotId: GIFT_LOT, at: giftAt.toISOString(), toBuyerId: gift.buyerId }], giftAt);
      giftsWritten++;
      const later = new Date(opens + 2 * DAY + 4 * 3_600_000);
      await writeDay([useOf(recipient, 2, later, 10_000, null)], later);
    }
  }
  // Day 5: every cash lot used to 60% or more is refunded its remainder less the subsidy (the domain rule).
  const at5 = new Date(opens + 5 * DAY + 2 * 3_600_000);
  const refunds: LedgerEvent[] = [];
  for (const lot of lots.values()) {
    if (lot.used * 100 < lot.face * 60 || lot.used === lot.face) continue;
    const amount = lot.face - lot.used - (lot.face - lot.paid);
    refunds.push({ type: 'refund', eventId: `r-${lot.lotId}`, roundId: ROUND, lotId: lot.lotId, at: at5.toISOString(), amount });
    lot.refunded = amount;
    lot.status = 'refunded';
  }
  expect(refunds.length).toBeGreaterThan(3);
  await writeDay(refunds, at5);
}

async function closeDay(district: string, day: string, closed: boolean): Promise<void> {
  const admin = await s.sdb.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
  await s.sdb.db
    .insertInto('day_closings')
    .values({ district_code: district, day, closed, changed_by: admin.id, changed_at: new Date(), seq: '0' })
    .onConflict((oc) => oc.columns(['district_code', 'day']).doUpdateSet({ closed }))
    .execute();
}

beforeAll(async () => {
  s = await ServerHarness.start({ noSnapshots: true });
  staff = await s.staff();
  clerk = await s.user('gangnam', 'clerk', '11680');
  spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'], perPersonMonthlyLimit: 100_000, holdingLimit: 140_000, giftReceiveCap: 140_000 });
  opens = Date.parse(spec.opensAt);
  await s.openRound(ROUND, spec, staff.official, staff.official2, new Date(opens + 3_600_000));
  await generate();
  for (const d of DISTRICTS) for (const day of [0, 1, 2, 3]) await closeDay(d, seoulDay(day), true);
  for (const d of DISTRICTS) await closeDay(d, seoulDay(3), false);
}, 120_000);
afterAll(() => s.close());

async function pages(token: string, after: number, fold: boolean, upTo = Infinity): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const r = await s.get(`/api/events?after=${after}&limit=${Math.min(37, upTo - after)}${fold ? '&fold=1' : ''}`, token);
    expect(r.status).toBe(200);
    const page = parsePage(r.text, after);
    if (page.entries.length === 0) return bodies;
    bodies.push(r.text);
    after = page.entries.at(-1)!.seq;
    if (after >= upTo) return bodies;
  }
}

async function newConsole(): Promise<{ l: LedgerDb; applier: SyncApplier }> {
  const l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  return { l, applier: new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS) };
}

function applyAll(applier: SyncApplier, bodies: string[]): void {
  for (const body of bodies) {
    const page = parsePage(body, applier.cursor().seq);
    applier.applyPage(page.entries, page.head.seq);
  }
}

/** What a console holds, in the generator's terms. */
function state(l: Pick<LedgerDb, 'sqlite'>) {
  const lotRows = l.sqlite.prepare('select lot_id, used, refunded, status from lots order by lot_id').all() as { lot_id: string; used: number; refunded: number; status: string }[];
  const byDay = l.sqlite.prepare("select day || '|' || district_code as k, sum(n) as n, sum(amount) as amount from report_facts_day where type = 'use' group by 1 order by 1").all() as { k: string; n: number; amount: number }[];
  const byMerchant = l.sqlite
    .prepare(
      `select k, sum(n) as n, sum(amount) as amount from (
         select coalesce(json_extract(payload, '$.merchantDistrict'), '-') as k, 1 as n, amount from ledger_events where type = 'use'
         union all select coalesce(merchant_district, '-'), n, amount from checkpoint_uses) group by k order by k`,
    )
    .all() as { k: string; n: number; amount: number }[];
  return { lots: lotRows, byDay, byMerchant };
}

function expected() {
  return {
    lots: [...lots.values()].sort((a, b) => (a.lotId < b.lotId ? -1 : 1)).map((x) => ({ lot_id: x.lotId, used: x.used, refunded: x.refunded, status: x.status })),
    byDay: [...usesByDayDistrict].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => ({ k, ...v })),
    byMerchant: [...usesByMerchant].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => ({ k, ...v })),
  };
}

describe('folding settled uses into per-lot checkpoints', () => {
  let midConsole: Awaited<ReturnType<typeof newConsole>>;
  let headBeforeFold = 0;

  it('refuses anyone but an administrator, a fold younger than a week and a malformed body, writing nothing', async () => {
    // A console that pulled up to the middle of day 1's uses before the fold.
    midConsole = await newConsole();
    headBeforeFold = ((await s.get('/api/head', staff.admin)).body as { seq: number }).seq;
    const mid = 61 + (useDays.get(0) ?? 0) + Math.floor((useDays.get(1) ?? 0) / 2);
    applyAll(midConsole.applier, await pages(staff.admin, 0, false, mid));
    expect(midConsole.applier.cursor().seq).toBe(mid);

    s.clock = new Date(opens + 40 * DAY);
    expect((await s.post('/api/admin/compact-uses', { olderThanDays: 7 }, staff.official)).status).toBe(403);
    expect((await s.post('/api/admin/compact-uses', { olderThanDays: 3 }, staff.admin)).status).toBe(400);
    expect((await s.post('/api/admin/compact-uses', { olderThanDays: '30' }, staff.admin)).status).toBe(400);
    expect((await s.post('/api/admin/compact-uses', { olderThanDays: 7, also: 1 }, staff.admin)).status).toBe(400);
    expect((await s.request('POST', '/api/admin/compact-uses', { olderThanDays: 7 })).status).toBe(401);
    expect(((await s.get('/api/head', staff.admin)).body as { seq: number }).seq).toBe(headBeforeFold);
    expect(await s.sdb.db.selectFrom('use_checkpoints').select('id').execute()).toEqual([]);
  });

  it('folds only the uses of closed days older than the cut: one checkpoint per lot, one chained event, the act recorded', async () => {
    // Eight days after day 0, a week back is day 1: the closed day 2 is too young yet.
    s.clock = new Date(opens + 8 * DAY + 2 * 3_600_000);
    const first = foldableThrough(1);
    const r = await s.post('/api/admin/compact-uses', { olderThanDays: 7 }, staff.admin);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ throughDay: seoulDay(1), checkpoints: first.lots.size, events: first.uses, seq: headBeforeFold + 1 });
    const act = await s.sdb.db.selectFrom('use_folds').selectAll().executeTakeFirstOrThrow();
    expect(act).toMatchObject({ checkpoints: first.lots.size, events: first.uses, older_than_days: 7 });
    // Weeks later day 2 folds too, in a second act of its own.
    s.clock = new Date(opens + 40 * DAY);
    const second = foldableThrough(2, 2);
    // The recipient's lot folds as two runs, one each side of the gift.
    expect([...second.lots].filter((k) => k.startsWith(`${gift!.lotId}:`)).sort()).toEqual([`${gift!.lotId}:0`, `${gift!.lotId}:1`]);
    const r2 = await s.post('/api/admin/compact-uses', { olderThanDays: 7 }, staff.admin);
    expect(r2.body).toMatchObject({ checkpoints: second.lots.size, events: second.uses, seq: headBeforeFold + 2 });
    const folded = await s.sdb.db.selectFrom('folded_events').innerJoin('events', 'events.seq', 'folded_events.seq').select(['events.type', 'events.recorded_at']).execute();
    expect(folded).toHaveLength(foldableThrough(2).uses);
    for (const f of folded) expect(f.type).toBe('use');
    // Day 3 (reopened) and day 4 (never closed) are untouched whatever their age; a second fold finds nothing new.
    const again = await s.post('/api/admin/compact-uses', { olderThanDays: 7 }, staff.admin);
    expect(again.body).toMatchObject({ checkpoints: 0, events: 0, seq: null });
  });

  it('lists the folds to an administrator, newest first, with who did each and what the server counted; to nobody else', async () => {
    const r = await s.get('/api/admin/use-folds', staff.admin);
    expect(r.status).toBe(200);
    const { folds } = r.body as { folds: { byName: string; at: string; throughDay: string; olderThanDays: number; checkpoints: number; events: number; seq: number }[] };
    // The two acts of the test above, from the generator's own bookkeeping: days 0–1 first, then day 2 alone.
    expect(folds.map((f) => f.seq)).toEqual([headBeforeFold + 2, headBeforeFold + 1]);
    expect(folds[1]).toMatchObject({ byName: 'admin', throughDay: seoulDay(1), olderThanDays: 7, checkpoints: foldableThrough(1).lots.size, events: foldableThrough(1).uses });
    expect(folds[0]).toMatchObject({ byName: 'admin', olderThanDays: 7, checkpoints: foldableThrough(2, 2).lots.size, events: foldableThrough(2, 2).uses });
    // Stamped by the server's clock at each fold (the harness's, moved by hand above), not by anything a console sent.
    expect(folds[1]!.at).toBe(new Date(opens + 8 * DAY + 2 * 3_600_000).toISOString());
    expect(folds[0]!.at).toBe(new Date(opens + 40 * DAY).toISOString());
    expect((await s.get('/api/admin/use-folds', staff.official)).status).toBe(403);
    expect((await s.get('/api/admin/use-folds', clerk)).status).toBe(403);
    expect((await s.request('GET', '/api/admin/use-folds')).status).toBe(401);
  });

  it('a new console never downloads a folded use, and ends with the balances and reports of one that replayed every event', async () => {
    const replay = await newConsole();
    const fresh = await newConsole();
    applyAll(replay.applier, await pages(staff.admin, 0, false));
    const folded = await pages(staff.admin, 0, true);
    applyAll(fresh.applier, folded);
    const head = (await s.get('/api/head', staff.admin)).body as { seq: number; hash: string };
    expect(fresh.applier.cursor()).toEqual(head);
    expect(replay.applier.cursor()).toEqual(head);
    const text = folded.join('');
    for (let i = 0; i < foldableThrough(2).uses; i++) expect(text.includes(`"eventId":"u-${i}"`), `u-${i}`).toBe(false);
    expect(fresh.l.sqlite.prepare("select count(*) from ledger_events where type = 'use'").pluck().get()).toBe(
      [...useDays].filter(([d]) => d > 2).reduce((a, [, n]) => a + n, 0),
    );
    expect(state(fresh.l)).toEqual(expected());
    expect(state(replay.l)).toEqual(expected());
    expect(fresh.applier.firstLocalBreak()).toBeNull();
    // A repair cutting back past some checkpoints replays the rest with them.
    const cut = Math.floor(head.seq / 2);
    fresh.applier.truncateFrom(cut);
    applyAll(fresh.applier, await pages(staff.admin, fresh.applier.cursor().seq, true));
    expect(state(fresh.l)).toEqual(expected());
    fresh.l.close();
    replay.l.close();
  });

  it('a console that held part of the folded uses keeps them and counts only the rest from the checkpoints', async () => {
    const held = midConsole.l.sqlite.prepare("select count(*) from ledger_events where type = 'use'").pluck().get() as number;
    applyAll(midConsole.applier, await pages(staff.admin, midConsole.applier.cursor().seq, true));
    expect(midConsole.l.sqlite.prepare("select count(*) from ledger_events where type = 'use' and seq <= ?").pluck().get(headBeforeFold)).toBeGreaterThanOrEqual(held);
    expect(state(midConsole.l)).toEqual(expected());
    midConsole.l.close();
  });

  it('builds the snapshot a new console downloads with the checkpoints in place of the folded uses, for each scope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-fold-snap-'));
    const store = new SnapshotStore(s.sdb.db, { dir });
    const head = (await s.get('/api/head', staff.admin)).body as { seq: number; hash: string };
    try {
      for (const scope of [{ kind: 'all' }, { kind: 'district', districtCode: '11680' }] as const) {
        await store.rebuild(scope);
        const ready = store.current(scope, head.seq);
        expect(ready?.manifest.seq).toBe(head.seq);
        const file = new Database(ready!.file, { readonly: true });
        try {
          const mine = (id: string) => scope.kind === 'all' || lots.get(id)!.district === scope.districtCode;
          // The uses are numbered in the order written, days 0–2 first: u-0 … u-(folded − 1) are the folded ones.
          const foldedIds = (file.prepare("select json_extract(payload, '$.eventId') from ledger_events where type = 'use'").pluck().all() as string[]).filter(
            (id) => Number(id.slice(2)) < foldableThrough(2).uses,
          );
          expect(foldedIds).toEqual([]);
          const cps = (file.prepare('select lot_id from use_checkpoints').pluck().all() as string[]).sort();
          const want = [...foldableThrough(1).lots, ...foldableThrough(2, 2).lots].map((k) => k.split(':')[0]!).filter(mine).sort();
          expect(cps).toEqual(want);
          const all = expected();
          const st = state({ sqlite: file });
          expect(st.lots).toEqual(all.lots.filter((x) => mine(x.lot_id)));
          if (scope.kind === 'all') expect(st).toEqual(all);
        } finally {
          file.close();
        }
      }
    } finally {
      await store.idle();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives a clerk their own district's checkpoints only", async () => {
    const bodies = await pages(clerk, 0, true);
    const cps = bodies.flatMap((b) => b.split('\n').filter((l) => l.startsWith('~\t')).map((l) => JSON.parse(l.slice(2)) as { districtCode: string; lotId: string }));
    const inDistrict = (ids: Set<string>) => [...ids].filter((id) => lots.get(id.split(':')[0]!)!.district === '11680').length;
    expect(cps.length).toBe(inDistrict(foldableThrough(1).lots) + inDistrict(foldableThrough(2, 2).lots));
    for (const c of cps) expect(c.districtCode).toBe('11680');
    const c = await newConsole();
    applyAll(c.applier, bodies);
    const mine = expected().lots.filter((x) => lots.get(x.lot_id)!.district === '11680');
    expect(c.l.sqlite.prepare('select lot_id, used, refunded, status from lots order by lot_id').all()).toEqual(mine);
    c.l.close();
  });

  it('refuses a tampered checkpoint, keeping nothing of the page', async () => {
    const bodies = await pages(staff.admin, 0, true);
    const tamper = async (
      edit: (cp: Record<string, unknown>) => void,
      pick: (cp: Record<string, unknown>) => boolean = () => true,
      afterwards?: (c: Awaited<ReturnType<typeof newConsole>>) => Promise<void>,
    ): Promise<SyncError> => {
      let done = false;
      const changed = bodies.map((b) =>
        b
          .split('\n')
          .map((line) => {
            if (done || !line.startsWith('~\t')) return line;
            const cp = JSON.parse(line.slice(2)) as Record<string, unknown>;
            if ((cp.count as number) < 2 || !pick(cp)) return line;
            done = true;
            edit(cp);
            return `~\t${JSON.stringify(cp)}`;
          })
          .join('\n'),
      );
      const c = await newConsole();
      try {
        for (const body of changed) {
          const page = parsePage(body, c.applier.cursor().seq);
          c.applier.applyPage(page.entries, page.head.seq);
        }
        throw new Error('the tampered history was accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(SyncError);
        await afterwards?.(c);
        return e as SyncError;
      } finally {
        c.l.close();
      }
    };
    // A balance lowered with its hour, so the checkpoint adds up (on a lot never refunded, whose refund would not
    // pass the rule): only the chained fold event can tell, pages later. The console goes back to before the
    // fold's first checkpoint, so the lowered balance does not stay: the sound pages from there end as the generator.
    let cutTo = 0;
    const moved = await tamper(
      (cp) => {
        const uses = cp.uses as [string, string | null, number, number][];
        cp.amount = (cp.amount as number) - 10_000;
        uses[0]![3] -= 10_000;
      },
      (cp) => lots.get(cp.lotId as string)!.status === 'active',
      async (c) => {
        cutTo = c.applier.cursor().seq;
        expect(c.l.sqlite.prepare('select count(*) from use_checkpoints').pluck().get()).toBe(0);
        applyAll(c.applier, await pages(staff.admin, cutTo, true));
        expect(state(c.l)).toEqual(expected());
      },
    );
    expect(moved.key).toBe('compaction.foldMismatch');
    expect(cutTo).toBeLessThan(headBeforeFold);
    expect((await tamper((cp) => (cp.digest = 'a'.repeat(64)))).key).toBe('compaction.badCheckpoint');
    expect((await tamper((cp) => (cp.seqs = (cp.seqs as number[]).slice(1)))).key).toBe('compaction.badCheckpoint');
    expect((await tamper((cp) => (cp.amount = (cp.amount as number) + 10_000))).key).toBe('compaction.badCheckpoint');
    // The fold's own checks refuse a changed cut, a fold id from elsewhere, another lot.
    expect((await tamper((cp) => (cp.lotId = 'lot-999'))).key).toMatch(/^compaction\./);
  });
});

describe('server migration 0028_use_checkpoints', () => {
  it('keeps the log append-only: folding marks events beside the log, never in it', async () => {
    const r = await s.sdb.db.selectFrom('events').select(['seq', 'payload']).where('type', '=', 'use').orderBy('seq').limit(1).executeTakeFirstOrThrow();
    await expect(s.sdb.db.updateTable('events').set({ payload: r.payload + ' ' }).where('seq', '=', r.seq).execute()).rejects.toThrow(/append-only/);
    await expect(s.sdb.db.insertInto('folded_events').values({ seq: '999999', checkpoint_id: randomUUID() }).execute()).rejects.toThrow(/foreign key/);
  });
});
