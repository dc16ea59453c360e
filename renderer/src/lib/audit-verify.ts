import type { VerifyResult } from '#shared/api/audit-schemas.js';
import { errorText, num, seoul, t } from './i18n.svelte.js';

/** One line saying what an audit verification found, in the tone it deserves. */
export function describeVerify(v: VerifyResult): { tone: 'info' | 'warn' | 'error'; text: string } {
  const { chain, anchor } = v;
  const at = seoul(anchor.anchoredAt, true);
  const checked = num(chain.checked);
  // The check itself broke: nothing it reports about the chain or the anchors stands.
  if (v.verdict === 'failed') return { tone: 'warn', text: t('anchor.failed', { message: v.error ? errorText(v.error) : '' }) };
  if (!chain.ok) return { tone: 'error', text: t('admin.verifyBad', { seq: chain.firstBadSeq ?? '?', reason: chain.reason ?? '' }) };
  switch (anchor.state) {
    case 'matched':
      return { tone: 'info', text: t('anchor.ok', { checked, seq: num(anchor.seq ?? 0), at }) };
    case 'mismatch':
    case 'missing':
      return { tone: 'error', text: t(`anchor.${anchor.state}`, { seq: num(anchor.seq ?? 0), at }) };
    case 'unreachable':
      return { tone: 'warn', text: t('anchor.unreachable', { checked, message: anchor.error ? errorText(anchor.error) : '' }) };
    default:
      return { tone: 'warn', text: t(`anchor.${anchor.state}`, { checked }) };
  }
}

/** The banner every page shows while the last verification found tampering; null otherwise. */
export function auditBanner(v: VerifyResult | null): string | null {
  if (!v || v.verdict !== 'tampered') return null;
  if (!v.chain.ok) return t('anchor.bannerChain', { seq: v.chain.firstBadSeq ?? '?' });
  return t('anchor.banner', { seq: num(v.anchor.seq ?? 0), at: seoul(v.anchor.anchoredAt, true) });
}
