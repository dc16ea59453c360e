import { z } from 'zod';

/**
 * How one provider's settlement file reads: a column-mapping profile, saved in
 * the console's database, so a new provider is configured rather than coded.
 * Every shape ends in the same settlement row (below).
 */
export const SETTLEMENT_FIELDS = ['type', 'tid', 'originalTid', 'approvalNo', 'approvedDate', 'approvedTime', 'amount', 'fee', 'vat', 'net', 'payoutDate'] as const;
export type SettlementField = (typeof SETTLEMENT_FIELDS)[number];
/** Fields every profile must map; the rest are optional (net is computed when absent). */
export const REQUIRED_FIELDS: readonly SettlementField[] = ['type', 'tid', 'approvedDate', 'amount', 'fee', 'vat', 'payoutDate'];

const column = z
  .object({
    field: z.enum(SETTLEMENT_FIELDS),
    /** Delimited: zero-based column, or `header` naming it in the header line. */
    index: z.int().min(0).max(200).optional(),
    header: z.string().min(1).max(40).optional(),
    /** Fixed width: zero-based start character and width. */
    start: z.int().min(0).max(2000).optional(),
    width: z.int().min(1).max(200).optional(),
  })
  .strict();

export const settlementProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
    provider: z.string().regex(/^[a-z0-9_-]{1,32}$/),
    name: z.string().min(1).max(80),
    shape: z.enum(['delimited', 'fixed']),
    delimiter: z.string().length(1).optional(),
    /**
     * `hecto`: a first line `code|message|count|` whose count must equal the records;
     * `named`: a first line of column names (the columns are found by `header`); `none`.
     */
    header: z.enum(['hecto', 'named', 'none']),
    /** `auto` detects a BOM, then strict UTF-8, then CP949. */
    encoding: z.enum(['auto', 'utf-8', 'cp949']),
    /** What `type` says for an approval and for a cancellation. */
    approvalValue: z.string().min(1).max(10),
    cancelValue: z.string().min(1).max(10),
    /** Date as YYYYMMDD or YYYY-MM-DD; time as HHmmss or HH:mm:ss (Seoul time in the file). */
    dateFormat: z.enum(['YYYYMMDD', 'YYYY-MM-DD']),
    /** Business days from approval to payout the contract promises. */
    payoutLagDays: z.int().min(0).max(30),
    columns: z.array(column).min(1).max(40),
  })
  .strict()
  .superRefine(profileRules);
export type SettlementProfile = z.infer<typeof settlementProfileSchema>;

/** The three shapes the office receives today; seeded by migration 0010 and editable afterwards. */
export const DEFAULT_PROFILES: SettlementProfile[] = [
  {
    id: 'hecto-pipe',
    provider: 'hecto',
    name: '헥토파이낸셜 정산대사 (파이프 구분)',
    shape: 'delimited',
    delimiter: '|',
    header: 'hecto',
    encoding: 'auto',
    approvalValue: '0',
    cancelValue: '1',
    dateFormat: 'YYYYMMDD',
    payoutLagDays: 1,
    columns: [
      { field: 'type', index: 0 },
      { field: 'tid', index: 1 },
      { field: 'originalTid', index: 2 },
      { field: 'approvalNo', index: 3 },
      { field: 'approvedDate', index: 4 },
      { field: 'approvedTime', index: 5 },
      { field: 'amount', index: 6 },
      { field: 'fee', index: 7 },
      { field: 'vat', index: 8 },
      { field: 'net', index: 9 },
      { field: 'payoutDate', index: 10 },
    ],
  },
  {
    id: 'toss-csv',
    provider: 'toss',
    name: '카드 PG 정산내역 (CSV, 한글 머리글)',
    shape: 'delimited',
    delimiter: ',',
    header: 'named',
    encoding: 'auto',
    approvalValue: '승인',
    cancelValue: '취소',
    dateFormat: 'YYYY-MM-DD',
    payoutLagDays: 2,
    columns: [
      { field: 'type', header: '거래구분' },
      { field: 'tid', header: '거래키' },
      { field: 'originalTid', header: '원거래키' },
      { field: 'approvalNo', header: '승인번호' },
      { field: 'approvedDate', header: '승인일자' },
      { field: 'approvedTime', header: '승인시각' },
      { field: 'amount', header: '거래금액' },
      { field: 'fee', header: '수수료' },
      { field: 'vat', header: '부가세' },
      { field: 'net', header: '정산금액' },
      { field: 'payoutDate', header: '지급예정일' },
    ],
  },
  {
    id: 'kicc-fixed',
    provider: 'kicc',
    name: 'VAN 체크카드 정산 (고정길이)',
    shape: 'fixed',
    header: 'none',
    encoding: 'auto',
    approvalValue: 'A',
    cancelValue: 'C',
    dateFormat: 'YYYYMMDD',
    payoutLagDays: 1,
    columns: [
      { field: 'type', start: 0, width: 1 },
      { field: 'tid', start: 1, width: 20 },
      { field: 'originalTid', start: 21, width: 20 },
      { field: 'approvalNo', start: 41, width: 8 },
      { field: 'approvedDate', start: 49, width: 8 },
      { field: 'approvedTime', start: 57, width: 6 },
      { field: 'amount', start: 63, width: 12 },
      { field: 'fee', start: 75, width: 10 },
      { field: 'vat', start: 85, width: 10 },
      { field: 'net', start: 95, width: 12 },
      { field: 'payoutDate', start: 107, width: 8 },
    ],
  },
];

/** One record of a settlement file, as every shape reads. Dates are Seoul days `YYYY-MM-DD`. */
export interface SettlementRow {
  /** 1-based line in the file. */
  line: number;
  type: 'approval' | 'cancel';
  tid: string;
  originalTid: string | null;
  approvalNo: string | null;
  /** Approval instant, ms since the epoch (from the Seoul date and time in the file). */
  approvedMs: number;
  approvedDay: string;
  amount: number;
  fee: number;
  vat: number;
  net: number;
  payoutDay: string;
}

/** The name of each field as offices know it, used in messages about a file (CSV headers say the same). */
export const FIELD_LABELS: Record<SettlementField, string> = {
  type: '거래구분',
  tid: '거래키',
  originalTid: '원거래키',
  approvalNo: '승인번호',
  approvedDate: '승인일자',
  approvedTime: '승인시각',
  amount: '거래금액',
  fee: '수수료',
  vat: '부가세',
  net: '정산금액',
  payoutDate: '지급예정일',
};

type ProfileDraft = {
  shape: 'delimited' | 'fixed';
  delimiter?: string | undefined;
  header: 'hecto' | 'named' | 'none';
  approvalValue: string;
  cancelValue: string;
  columns: { field: SettlementField; index?: number | undefined; header?: string | undefined; start?: number | undefined; width?: number | undefined }[];
};

/**
 * What a profile must say beyond each value's type, as issues whose message
 * key names the settlement field in the office's words (dispatch shows a
 * refinement's own key): a profile that cannot read a file is refused when it
 * is saved, not when the first file arrives.
 */
function profileRules(p: ProfileDraft, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], key: string, field?: SettlementField) =>
    ctx.addIssue({ code: 'custom', path, message: key, params: { i18n: `reconcile.profileIssues.${key}`, values: field ? { settlementField: field } : {} } });
  if (p.shape === 'delimited' && !p.delimiter) issue(['delimiter'], 'delimiterMissing');
  if (p.shape === 'fixed' && p.header !== 'none') issue(['header'], 'fixedHeader');
  if (p.approvalValue === p.cancelValue) issue(['cancelValue'], 'sameTypeValues');
  const seen = new Set<SettlementField>();
  p.columns.forEach((c, i) => {
    if (seen.has(c.field)) issue(['columns', i, 'field'], 'duplicateField', c.field);
    seen.add(c.field);
    if (p.shape === 'fixed') {
      if (c.start === undefined || c.width === undefined) issue(['columns', i, 'start'], 'startWidth', c.field);
    } else if (p.header === 'named') {
      if (!c.header) issue(['columns', i, 'header'], 'headerName', c.field);
    } else if (c.index === undefined) issue(['columns', i, 'index'], 'columnIndex', c.field);
  });
  for (const f of REQUIRED_FIELDS) if (!seen.has(f)) issue(['columns'], 'requiredField', f);
  if (p.shape === 'fixed') {
    // Overlapping slices read one character as two fields: always a typo in the layout.
    const spans = p.columns.filter((c) => c.start !== undefined && c.width !== undefined).sort((a, b) => a.start! - b.start!);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.start! < spans[i - 1]!.start! + spans[i - 1]!.width!) issue(['columns', p.columns.indexOf(spans[i]!), 'start'], 'overlap', spans[i]!.field);
    }
  }
}
