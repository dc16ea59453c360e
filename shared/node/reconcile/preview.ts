import { AppError } from '../../common/errors.js';
import type { SettlementProfile, SettlementRow } from '../../reconcile/profile.js';
import { detectEncoding, parseSettlement } from './parse.js';

/** Rows a preview shows: enough to see every column land, few enough to read at a glance. */
export const PREVIEW_ROWS = 10;

/** Stops the parser once the preview has its rows; not a failure. */
class Enough extends Error {}

export interface ProfilePreview {
  encoding: string;
  rows: SettlementRow[];
  /** The first problem reading the sample with the draft profile (line and field named), or null. */
  error: { key: string; params: Record<string, string | number> } | null;
}

/**
 * Reads the first lines of a picked file with a draft profile, through the same
 * parser an import uses, so what the editor shows is what an import will read.
 * The sample is cut at its last whole line; a Hecto header's count is not
 * checked (the sample is not the whole file).
 */
export async function previewProfile(profile: SettlementProfile, sample: Uint8Array): Promise<ProfilePreview> {
  let cut = sample.length;
  const nl = sample.lastIndexOf(0x0a);
  if (nl > 0 && nl < sample.length - 1) cut = nl + 1;
  const bytes = sample.subarray(0, cut);
  const rows: SettlementRow[] = [];
  let encoding = '';
  try {
    encoding = (await parseSettlement(bytes, profile, (r) => {
      rows.push(r);
      if (rows.length >= PREVIEW_ROWS) throw new Enough();
    })).encoding;
  } catch (e) {
    if (e instanceof Enough || (e instanceof AppError && e.key === 'reconcile.bad.hectoCount')) return { encoding: encoding || guessEncoding(bytes, profile), rows, error: null };
    if (e instanceof AppError) return { encoding: encoding || guessEncoding(bytes, profile), rows, error: { key: e.key, params: e.params ?? {} } };
    throw e;
  }
  return { encoding, rows, error: null };
}

const guessEncoding = (bytes: Uint8Array, profile: SettlementProfile) => detectEncoding(bytes, profile);
