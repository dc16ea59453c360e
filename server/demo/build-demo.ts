import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { seoulDayKey } from '../../shared/common/time.js';
import type { LedgerEvent } from '../../shared/ledger/events.js';

type UseEvent = Extract<LedgerEvent, { type: 'use' }>;
import { lotFromRow } from '../../shared/ledger/lot-row.js';
import { applyToLot, lotRemaining, quoteRefund, type Lot } from '../../shared/ledger/rules.js';
import { specDigest } from '../../shared/node/chain/log-hash.js';
import type { Command } from '../../shared/sync/protocol.js';
import type { Role } from '../../shared/common/roles.js';
import { createUser, type ServerUser } from '../auth/server-auth.js';
import { runCommand } from '../commands/run-command.js';
import type { ServerDatabase, ServerLotsTable } from '../db/schema.js';
import type { DirectoryKeys } from '../directory/protect.js';
import { demoIdentity, type DemoIdentity } from '../directory/korean-names.js';
import { playSale } from '../feed/sale-feed.js';
import { lockHead, writeEvents } from '../log/append.js';
import { streams, type Stream } from '../../shared/simulation/random.js';
import { demoRounds, type DemoRound } from './demo-rounds.js';
import { simulatedSaleCurve } from './sale-curve.js';
import { writeDemoSettlement, type SettlementDay } from './demo-settlement.js';

export const DEMO_SCALES = { small: 0.01, full: 1 } as const;

export class DemoRefused extends Error {}

export interface DemoAccount {
  username: string;
  displayName: string;
  role: Role;
  districtCode: string | null;
  password: string;
}

export interface DemoRoundFacts {
  roundId: string;
  name: string;
  kind: 'city' | 'district';
  districtCode: string | null;
  totalAmount: number;
  perPersonMonthlyLimit: number;
  opensAt: string;
  closesAt: string;
  purchases: number;
  faceSold: number;
  paid: number;
  uses: number;
  usedAmount: number;
  cancels: number;
  refunds: number;
  /** Paid back by cancellations and refunds together. */
  returnedAmount: number;
}

/** What the builder wrote, counted as it wrote it: the test and a newcomer check the record against this. */
export interface DemoManifest {
  scale: string;
  seed: number;
  rounds: DemoRoundFacts[];
  events: number;
  buyers: number;
  settlement: SettlementDay[];
  settlementDir: string | null;
  accounts: Omit<DemoAccount, 'password'>[];
}

export interface DemoOptions {
  /** `small`, `full`, or a share of the real stock (0 < x ≤ 1). */
  scale: string;
  seed?: number;
  directory: DirectoryKeys;
  /** Where the settlement files go; none written when null. */
  settlementDir: string | null;
  log?: (line: string) => void;
}

const MAPO = '11440';
/** Uses and counter returns of a round's lots go on for eight weeks after its sale (interleaved in time with the next rounds'). */
const AFTER_SALE_MS = 56 * 86_400_000;
const DAY_MS = 86_400_000;
/** Above this a refund needs a second clerk first (the two-person rule the administrator sets). */
const DEMO_COUNTERSIGN_ABOVE = 300_000;

export function parseDemoScale(value: string): number {
  if (value in DEMO_SCALES) return DEMO_SCALES[value as keyof typeof DEMO_SCALES];
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new DemoRefused(`--scale must be small, full or a share of the real stock from 0.0001 to 1, not '${value}'`);
  return n;
}

/** A password the policy takes (16 random URL-safe characters), made here and printed once. */
const demoPassword = () => randomBytes(12).toString('base64url');

const ACCOUNTS: Omit<DemoAccount, 'password'>[] = [
  { username: 'demo-admin', displayName: '데모 관리자', role: 'admin', districtCode: null },
  { username: 'demo-official', displayName: '데모 주무관', role: 'official', districtCode: null },
  { username: 'demo-official2', displayName: '데모 승인 주무관', role: 'official', districtCode: null },
  { username: 'demo-clerk', displayName: '데모 마포구 창구', role: 'clerk', districtCode: MAPO },
  { username: 'demo-clerk2', displayName: '데모 마포구 창구 2', role: 'clerk', districtCode: MAPO },
  { username: 'demo-analyst', displayName: '데모 분석가', role: 'analyst', districtCode: null },
];

/** Seoul office hours (09:00–18:00) on the day `ms` falls in, at a drawn minute. */
const counterTime = (ms: number, rng: Stream) => {
  const day = seoulDayKey(new Date(ms).toISOString());
  return Date.parse(`${day}T09:00:00+09:00`) + Math.floor(rng.uniform() * 9 * 60) * 60_000;
};

/**
 * Fills a fresh server with a year of the programme: the real rounds (demo-rounds.ts) proposed by one
 * official and approved by another, scheduled and opened at their real times; each sale played by the
 * development feed along a curve the simulator draws (each buyer's identity into the directory with the
 * purchase, as at a real sale); uses over the following weeks; cancellations and refunds asked at the Mapo
 * counter and approved by the server's own commands, the large ones countersigned first; and the settlement
 * files the providers would send for each day. Every step runs as the server would at that moment: the
 * server's clock is set to the step's time, so the lifecycle and refund rules judge it as they would have
 * then. Refuses a server that holds anything.
 */
export async function buildDemo(db: Kysely<ServerDatabase>, o: DemoOptions): Promise<{ manifest: DemoManifest; accounts: DemoAccount[]; sampleBuyer: SampleBuyer | null }> {
  const scale = parseDemoScale(o.scale);
  const seed = o.seed ?? 20220714;
  const log = o.log ?? (() => {});
  const users = Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const events = Number((await db.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirst())?.seq ?? 0);
  if (users > 0 || events > 0) {
    throw new DemoRefused(`this server already holds data (${users} accounts, ${events} events); the demo fills only a fresh server: start it with an empty --data-dir (or a new database)`);
  }

  const accounts = ACCOUNTS.map((a) => ({ ...a, password: demoPassword() }));
  const who = new Map<string, ServerUser>();
  for (const a of accounts) who.set(a.username, await createUser(db, a));
  const as = (name: string) => who.get(name)!;
  let commandNo = 0;
  const run = async (user: string, at: number, cmd: Record<string, unknown>) => {
    const sent = { ...cmd, commandId: `demo-${++commandNo}`, sentAt: new Date(at).toISOString() } as Command;
    const r = await runCommand(db, sent, as(user), new Date(at));
    if (r.status !== 'accepted') throw new Error(`demo step ${cmd.type} refused: ${r.reason?.key} ${JSON.stringify(r.reason?.params ?? {})}`);
    return r;
  };

  const rounds = demoRounds(scale);
  const specs = new Map(rounds.map((r) => [r.roundId, r.spec]));
  /** Each (UTC) day's uses across rounds, written by one step at the day's end. */
  const usesByDay = new Map<number, UseEvent[]>();
  const facts = new Map<string, DemoRoundFacts>();
  const rs = streams(seed);
  // Steps run in time order across rounds, so the log reads as the year happened.
  const steps: { at: number; order: number; kind: string; run: () => Promise<void> }[] = [];
  const step = (at: number, run: () => Promise<void>, kind = 'lifecycle') => steps.push({ at, order: steps.length, kind, run });
  const spent = new Map<string, number>();
  const firstProposal = Date.parse(rounds[0]!.spec.opensAt) - 15 * DAY_MS;
  step(firstProposal - DAY_MS, async () => {
    await run('demo-admin', firstProposal - DAY_MS, { type: 'set_refund_threshold', amount: DEMO_COUNTERSIGN_ABOVE });
  });

  rounds.forEach((r, i) => {
    const opens = Date.parse(r.spec.opensAt);
    const closes = Date.parse(r.spec.closesAt);
    facts.set(r.roundId, {
      roundId: r.roundId,
      name: r.spec.name,
      kind: r.spec.kind,
      districtCode: r.spec.districtCode,
      totalAmount: r.spec.totalAmount,
      perPersonMonthlyLimit: r.spec.perPersonMonthlyLimit,
      opensAt: r.spec.opensAt,
      closesAt: r.spec.closesAt,
      purchases: 0,
      faceSold: 0,
      paid: 0,
      uses: 0,
      usedAmount: 0,
      cancels: 0,
      refunds: 0,
      returnedAmount: 0,
    });
    step(opens - 14 * DAY_MS, () => run('demo-official', opens - 14 * DAY_MS, { type: 'propose_round', roundId: r.roundId, version: 1, spec: r.spec }).then(() => {}));
    step(opens - 13 * DAY_MS, () => run('demo-official2', opens - 13 * DAY_MS, { type: 'publish_round', roundId: r.roundId, version: 1, specDigest: specDigest(r.spec) }).then(() => {}));
    step(opens - 2 * DAY_MS, () => run('demo-official', opens - 2 * DAY_MS, { type: 'round_transition', roundId: r.roundId, action: 'schedule' }).then(() => {}));
    step(opens, () => run('demo-official', opens, { type: 'round_transition', roundId: r.roundId, action: 'open' }).then(() => {}));
    step(closes - 1, () => playRoundSale(r, i, closes - 1), 'sales');
    step(closes, () => run('demo-official', closes, { type: 'round_transition', roundId: r.roundId, action: 'close' }).then(() => {}));
    // The weeks after: uses and counter returns, planned once the sale's lots exist.
    step(closes + 1, () => planAfterSale(r, closes, closes + AFTER_SALE_MS), 'planning');
  });

  async function playRoundSale(r: DemoRound, i: number, at: number): Promise<void> {
    const started = Date.now();
    const sale = await playSale(db, {
      roundId: r.roundId,
      purchases: 5_000_000,
      // A seed per round: each round's buyers are other people, with other names and numbers.
      seed: seed + i + 1,
      usesShare: 0,
      fullLimitShare: 0.85,
      recordedBy: 'demo:sale',
      now: () => new Date(at),
      directory: o.directory,
      curve: simulatedSaleCurve(r.spec, seed + i + 1),
    });
    const f = facts.get(r.roundId)!;
    const paid = await db.selectFrom('lots').select((eb) => eb.fn.sum<string>('paid').as('paid')).where('round_id', '=', r.roundId).executeTakeFirstOrThrow();
    Object.assign(f, { purchases: sale.purchases, faceSold: sale.faceSold, paid: Number(paid.paid ?? 0) });
    log(`  ${r.spec.name}: ${sale.purchases.toLocaleString('en-US')} purchases (${(sale.faceSold / 1e8).toLocaleString('ko-KR')}억 원) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  async function planAfterSale(r: DemoRound, closes: number, until: number): Promise<void> {
    const rows = (await sql<ServerLotsTable>`select * from lots where round_id = ${r.roundId} order by lot_id`.execute(db)).rows;
    const byDay = new Map<number, UseEvent[]>();
    for (const row of rows) {
      const lot = lotFromRow(row);
      // Nine lots in twenty are spent, one in four of those in two goes, the first within days; spending stops at
      // 60–100% of the face. About 0.56 uses a lot: with ~720,000 purchases at --scale full, about 1.1M events.
      if (rs.failures.uniform() < 0.45) {
        const target = Math.max(1_000, Math.floor((lot.face * (0.6 + 0.4 * rs.failures.uniform())) / 1_000) * 1_000);
        const goes = rs.failures.uniform() < 0.25 ? 2 : 1;
        let spent = 0;
        let t = closes + rs.returns.exponential(7 * DAY_MS);
        for (let g = 1; g <= goes && t < until; g++) {
          const amount = g === goes ? target - spent : Math.floor(target / goes / 1_000) * 1_000;
          if (amount <= 0) continue;
          spent += amount;
          const day = Math.floor(t / DAY_MS) * DAY_MS;
          // A district voucher is spent in its district; a city-wide one mostly near home, now and then elsewhere.
          const merchant = r.spec.kind === 'district' || rs.order.below(4) > 0 ? lot.districtCode : DISTRICT_CODES[rs.order.below(DISTRICT_CODES.length)]!;
          const list = byDay.get(day) ?? byDay.set(day, []).get(day)!;
          list.push({ type: 'use', eventId: `demo-u-${lot.lotId}-${g}`, roundId: r.roundId, lotId: lot.lotId, at: new Date(t).toISOString(), amount, merchantDistrict: merchant });
          t += rs.returns.exponential(10 * DAY_MS);
        }
      }
      // Mapo's counter: some buyers return an unused lot, some bring back one spent past the threshold.
      if (lot.districtCode === MAPO && rs.order.uniform() < 0.25) {
        const at = counterTime(closes + DAY_MS + rs.order.uniform() * (until - closes - 2 * DAY_MS), rs.order);
        if (at < until) step(at, () => counterReturn(r, lot.lotId, at), 'counter');
      }
    }
    for (const [day, list] of byDay) {
      // One write a day for every round's uses: a day's step planned by an earlier round takes this round's too.
      const planned = usesByDay.get(day);
      if (planned) planned.push(...list);
      else {
        usesByDay.set(day, list);
        step(day + DAY_MS - 1, () => writeUses(day, day + DAY_MS - 1), 'uses');
      }
    }
    steps.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  async function writeUses(day: number, at: number): Promise<void> {
    const list = usesByDay.get(day)!.sort((a, b) => a.at.localeCompare(b.at));
    usesByDay.delete(day);
    const kept: UseEvent[] = [];
    await db.transaction().execute(async (trx) => {
      const head = await lockHead(trx);
      const ids = [...new Set(list.map((e) => e.lotId))];
      const rows = (await sql<ServerLotsTable>`select * from lots where lot_id = any(${ids}::text[]) for update`.execute(trx)).rows;
      const lots = new Map(rows.map((row) => [row.lot_id, lotFromRow(row)]));
      // The server's own rule for each use, in memory over the day's lots (one read and one write a day, not three
      // statements a use): a lot returned at the counter meanwhile takes no more uses, as a merchant's would be refused.
      for (const ev of list) {
        const verdict = applyToLot(lots.get(ev.lotId)!, ev, specs.get(ev.roundId)!);
        if (!verdict.ok) continue;
        lots.set(ev.lotId, verdict.value);
        kept.push(ev);
      }
      if (!kept.length) return;
      const changed = [...new Set(kept.map((e) => e.lotId))];
      await sql`update lots set used = x.used from unnest(${changed}::text[], ${changed.map((id) => lots.get(id)!.used)}::bigint[]) as x(id, used) where lots.lot_id = x.id`.execute(trx);
      await writeEvents(trx, head, kept, 'demo:merchants', new Date(at));
    });
    for (const ev of kept) {
      const f = facts.get(ev.roundId)!;
      f.uses++;
      f.usedAmount += ev.amount;
    }
  }

  let clerkTurn = 0;
  async function counterReturn(r: DemoRound, lotId: string, at: number): Promise<void> {
    const row = (await sql<ServerLotsTable>`select * from lots where lot_id = ${lotId}`.execute(db)).rows[0]!;
    const lot: Lot = lotFromRow(row);
    if (lotRemaining(lot) === 0) return;
    const quote = quoteRefund(lot, r.spec, new Date(at).toISOString());
    // Only what the rules pay out is asked for: a lot below the threshold goes home unrefunded.
    if (!quote.ok) return;
    const clerk = clerkTurn++ % 2 === 0 ? 'demo-clerk' : 'demo-clerk2';
    const other = clerk === 'demo-clerk' ? 'demo-clerk2' : 'demo-clerk';
    const requestId = `demo-refund-${lotId}`;
    const request = { roundId: r.roundId, lotId, kind: quote.value.kind, amount: quote.value.amount };
    if (quote.value.amount > DEMO_COUNTERSIGN_ABOVE) {
      await run(other, at - 60_000, { type: 'countersign_refund', requestCommandId: requestId, requestedBy: clerk, ...request });
    }
    const sent = { type: 'approve_refund', commandId: requestId, sentAt: new Date(at).toISOString(), requestedAt: new Date(at - 5 * 60_000).toISOString(), ...request } as Command;
    const res = await runCommand(db, sent, as(clerk), new Date(at));
    if (res.status !== 'accepted') throw new Error(`demo refund refused: ${res.reason?.key} ${JSON.stringify(res.reason?.params ?? {})}`);
    const f = facts.get(r.roundId)!;
    if (quote.value.kind === 'cancel') f.cancels++;
    else f.refunds++;
    f.returnedAmount += quote.value.amount;
  }

  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  // Steps plan further steps (the weeks after a sale), so the list is read by position as it grows and re-sorts.
  // A planned step is always later than the one planning it, so the steps already run keep their places.
  let last = -Infinity;
  for (let k = 0; k < steps.length; k++) {
    if (steps[k]!.at < last) throw new Error('demo steps out of time order');
    last = steps[k]!.at;
    const t = Date.now();
    await steps[k]!.run();
    spent.set(steps[k]!.kind, (spent.get(steps[k]!.kind) ?? 0) + Date.now() - t);
  }
  log(`  time by step: ${[...spent].map(([kind, t]) => `${kind} ${(t / 1000).toFixed(1)} s`).join(', ')}`);
  await sql`analyze`.execute(db);

  const settlement = o.settlementDir ? await writeDemoSettlement(db, o.settlementDir) : [];
  const head = Number((await db.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow()).seq);
  const buyers = Number((await db.selectFrom('buyer_directory').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const manifest: DemoManifest = {
    scale: o.scale,
    seed,
    rounds: [...facts.values()],
    events: head,
    buyers,
    settlement,
    settlementDir: o.settlementDir,
    accounts: ACCOUNTS,
  };
  await db.insertInto('demo_marker').values({ id: 1, scale: o.scale, seed, created_at: new Date(), manifest: JSON.stringify(manifest) }).execute();
  return { manifest, accounts, sampleBuyer: await sampleMapoBuyer(db, seed) };
}

/** A Mapo buyer of the first round with a refundable lot, for a newcomer to look up at the counter. */
export interface SampleBuyer extends DemoIdentity {
  lotId: string;
}

/**
 * The demo's buyers are generated (korean-names.ts), so one may be printed in full: the feed gave buyer n of the
 * round with index i the identity demoIdentity(seed + i + 1, n), and its buyer id ends in n.
 */
async function sampleMapoBuyer(db: Kysely<ServerDatabase>, seed: number): Promise<SampleBuyer | null> {
  const row = await db
    .selectFrom('lots')
    .select(['buyer_id', 'lot_id'])
    .where('round_id', '=', 'demo-2022-07-14')
    .where('district_code', '=', MAPO)
    .where('status', '=', 'active')
    .where('payment_method', '=', 'bank_transfer')
    .where(sql<boolean>`used * 100 >= face * 60 and used < face`)
    .orderBy('lot_id')
    .executeTakeFirst();
  if (!row) return null;
  return { ...demoIdentity(seed + 1, Number(row.buyer_id.split('-').at(-1))), lotId: row.lot_id };
}
