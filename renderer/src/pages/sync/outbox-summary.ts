import type { OutboxItem } from '#shared/api/sync-schemas.js';
import { districtName } from '#shared/common/districts.js';
import { formatWon } from '#shared/common/money.js';
import { translate, type Lang } from '#shared/i18n/index.js';
import { providerName } from '#shared/reconcile/provider-names.js';

/**
 * What a queued command holds, in words, per type (the backend's summaryOf gives the fields): a threshold, a
 * district's day or a provider's day read as such, not as a refund of an undefined kind.
 */
export function outboxSummary(item: Pick<OutboxItem, 'type' | 'summary'>, lang: Lang): string {
  const m = item.summary;
  const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
  const money = (v: string | number | undefined) => (typeof v === 'number' ? formatWon(v) : t('counter.thresholdNone'));
  const provider = (v: string | number | undefined) => providerName(String(v ?? ''), lang);
  switch (item.type) {
    case 'propose_round':
      return `${m.name} v${m.version}`;
    case 'publish_round':
      return `v${m.version}`;
    case 'round_transition':
      return t(`actions.${m.action}`);
    case 'approve_refund':
    case 'countersign_refund':
      return `${t(`ledgerPage.type_${m.kind}`)} ${money(m.amount)} · ${m.lotId}`;
    case 'set_refund_threshold':
    case 'set_adjustment_threshold':
      return money(m.amount);
    case 'close_day':
    case 'reopen_day':
      return `${districtName(String(m.district), lang)} ${m.day}`;
    case 'book_adjustment':
    case 'countersign_adjustment':
      return [money(m.amount), m.day, m.provider === undefined ? undefined : provider(m.provider)].filter((x) => x !== undefined).join(' · ');
    case 'record_settlement':
    case 'lock_reconcile_day':
    case 'reopen_reconcile_day':
      return `${m.day} ${provider(m.provider)}`;
    default:
      return Object.values(m).join(' · ');
  }
}
