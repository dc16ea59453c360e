import { districtName } from '#shared/common/districts.js';
import { formatBasisPoints, formatWon } from '#shared/common/money.js';
import { formatSeoul } from '#shared/common/time.js';
import { fieldLabel, translate, type Lang } from '#shared/i18n/index.js';
import type { RehearsalAssumptions, RoundSpec } from '#shared/rounds/spec.js';

const MONEY_FIELDS = new Set(['totalAmount', 'perPersonMonthlyLimit', 'holdingLimit', 'giftReceiveCap']);

/** One spec field's value as a person reads it, for detail views and audit diffs. */
export function formatSpecValue(lang: Lang, field: string, value: unknown): string {
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const number = (n: number) => new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US').format(n);
  if (value === null || value === undefined) return '—';
  if (MONEY_FIELDS.has(field) && typeof value === 'number') return formatWon(value);
  switch (field) {
    case 'discountBp':
      return formatBasisPoints(value as number);
    case 'kind':
      return t(`kinds.${String(value)}`);
    case 'districtCode':
      return districtName(value as string, lang);
    case 'denominations':
      return (value as number[]).map(formatWon).join(', ');
    case 'validityYears':
      return `${value as number}${lang === 'ko' ? '' : ' '}${t('units.years')}`;
    case 'sessionTimeoutMinutes':
      return `${number(value as number)}${lang === 'ko' ? '' : ' '}${t('units.minutes')}`;
    case 'expectedVisitors':
      return `${number(value as number)} ${t('units.people')}`;
    case 'opensAt':
    case 'closesAt':
      return `${formatSeoul(value as string, lang)} KST`;
    case 'paymentMethods':
      return (value as string[]).map((m) => t(`payment.${m}`)).join(', ');
    case 'refund': {
      const r = value as RoundSpec['refund'];
      return `${r.partialUseThresholdPct}% · ${t(`formula.${r.formula}`)}${r.cashOnly ? ` · ${fieldLabel(lang, 'refund.cashOnly')}` : ''}`;
    }
    case 'waitingRoom': {
      const w = value as RoundSpec['waitingRoom'];
      const order = w.order && w.order !== 'fifo' ? ` · ${t(`simulation.order_${w.order}`)}` : '';
      const cut = w.stockCutoff ? ` · ${fieldLabel(lang, 'waitingRoom.stockCutoff')}` : '';
      return `${number(w.admissionPerMinute)} ${t('units.perMinute')} · ${fieldLabel(lang, 'waitingRoom.maxActiveSessions')} ${number(w.maxActiveSessions)}${order}${cut}`;
    }
    case 'rehearsal':
      return rehearsalSummary(lang, value as RehearsalAssumptions);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** The assumptions a round keeps for its rehearsal, in one line. */
export function rehearsalSummary(lang: Lang, r: RehearsalAssumptions | undefined): string {
  if (!r) return translate(lang, 'rounds.rehearsalNone');
  const number = (n: number) => new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US').format(n);
  return translate(lang, 'rounds.rehearsalSaved', {
    seed: r.seed,
    capacity: r.maxConnections === null ? translate(lang, 'rounds.unlimited') : number(r.maxConnections),
    checkout: number(Math.round(r.checkout.meanSeconds)),
    failure: number(Math.round(r.checkout.failureRate * 1000) / 10),
    patience: r.patience.kind === 'none' ? '∞' : number(Math.round(r.patience.meanMinutes)),
    returns: number(Math.round(r.returns.probability * 100)),
  });
}
