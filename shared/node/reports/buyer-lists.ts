import { sql, type Kysely } from 'kysely';
import type { GroupKey, ReportParams } from '../../reports/params.js';
import type { Database } from '../db/schema.js';
import { noteGeneration } from './report-generation.js';

/** One cell of report_buyer_cells, its keys as the report shows them. */
interface Cell {
  round: string;
  /** Seoul `YYYY-MM-DD HH`, which the period filter compares. */
  hourText: string;
  keys: Record<GroupKey, string>;
  buyers: Uint32Array;
}

interface Lists {
  generation: number;
  seq: number;
  cells: Map<string, Cell>;
  maxNo: number;
}

type CellRow = { round_id: string; hour: string; district_code: string; payment_method: string; face: number; buyers: Uint8Array };

/**
 * The per-cell buyer lists held in memory, per database: reading ~60k blobs
 * through SQLite costs more than the 300 ms a report may take, so they are
 * read once and then only the cells changed since (`updated_seq`). A rebuild
 * renumbers buyers, so a new generation reads everything again.
 */
const held = new WeakMap<object, Lists>();

function toCell(r: CellRow): Cell {
  // A copy: Uint32Array needs an aligned buffer of its own.
  const bytes = new Uint8Array(r.buyers);
  const buyers = new Uint32Array(bytes.buffer, 0, bytes.byteLength / 4);
  const face = String(r.face);
  return {
    round: r.round_id,
    hourText: r.hour,
    keys: { district: r.district_code, day: r.hour.slice(0, 10), hour: r.hour.slice(11, 13), paymentMethod: r.payment_method, denomination: face },
    buyers,
  };
}

const cellId = (r: CellRow) => `${r.round_id}\u0000${r.hour}\u0000${r.district_code}\u0000${r.payment_method}\u0000${r.face}`;

async function current(db: Kysely<Database>): Promise<Lists> {
  const state = (await sql<{ last_seq: number; generation: number }>`select last_seq, generation from report_facts_state where id = 1`.execute(db)).rows[0]!;
  noteGeneration(state.generation);
  let lists = held.get(db);
  if (!lists || lists.generation !== state.generation) {
    lists = { generation: state.generation, seq: -1, cells: new Map(), maxNo: 0 };
    held.set(db, lists);
  }
  if (lists.seq !== state.last_seq) {
    const rows = (
      await sql<CellRow>`select round_id, hour, district_code, payment_method, face, buyers from report_buyer_cells where updated_seq > ${lists.seq}`.execute(db)
    ).rows;
    for (const r of rows) lists.cells.set(cellId(r), toCell(r));
    lists.maxNo = Number((await sql<{ n: number | null }>`select max(no) as n from report_buyers`.execute(db)).rows[0]?.n ?? 0);
    lists.seq = state.last_seq;
  }
  return lists;
}

/** Reads the lists now (at start), so the first report does not wait for them. */
export async function warmBuyerLists(db: Kysely<Database>): Promise<void> {
  await current(db);
}

/**
 * Distinct buyers per group and over all groups, exact: each group's cell
 * lists are walked marking every buyer number with the group's stamp, so a
 * buyer met again in the same group is not counted twice; a second mark
 * counts each buyer once over everything.
 */
export async function countBuyers(db: Kysely<Database>, p: ReportParams, districts: readonly string[]): Promise<{ groups: Map<string, number>; total: number }> {
  const lists = await current(db);
  const rounds = p.roundIds.length > 0 ? new Set(p.roundIds) : null;
  const inDistricts = districts.length > 0 ? new Set(districts) : null;
  const methods = p.paymentMethods.length > 0 ? new Set<string>(p.paymentMethods) : null;
  // `YYYY-MM-DD HH` sorts inside [fromDay, toDay + '~'), as in the SQL filters.
  const from = p.fromDay ?? null;
  const to = p.toDay ? `${p.toDay}~` : null;
  const [g1, g2] = p.groupBy;
  const byGroup = new Map<string, Uint32Array[]>();
  for (const c of lists.cells.values()) {
    if (rounds && !rounds.has(c.round)) continue;
    if (inDistricts && !inDistricts.has(c.keys.district)) continue;
    if (methods && !methods.has(c.keys.paymentMethod)) continue;
    if (from !== null && c.hourText < from) continue;
    if (to !== null && c.hourText >= to) continue;
    const key = g1 === undefined ? '' : g2 === undefined ? c.keys[g1] : `${c.keys[g1]}\u0000${c.keys[g2]}`;
    let group = byGroup.get(key);
    if (!group) byGroup.set(key, (group = []));
    group.push(c.buyers);
  }
  const stamp = new Int32Array(lists.maxNo + 1);
  const seen = new Uint8Array(lists.maxNo + 1);
  const groups = new Map<string, number>();
  let total = 0;
  let g = 0;
  for (const [key, group] of byGroup) {
    g++;
    let n = 0;
    for (const buyers of group) {
      for (let i = 0; i < buyers.length; i++) {
        const no = buyers[i]!;
        if (stamp[no] === g) continue;
        stamp[no] = g;
        n++;
        if (seen[no] === 0) {
          seen[no] = 1;
          total++;
        }
      }
    }
    groups.set(key, n);
  }
  return { groups, total };
}
