import { districtName } from '../common/districts.js';
import { formatWon } from '../common/money.js';
import { translate, type Lang } from '../i18n/index.js';
import type { GroupKey, Measure } from './params.js';

/** The text of one group value, as grids, charts and exports show it. */
export function groupValueLabel(key: GroupKey, value: string, lang: Lang): string {
  switch (key) {
    case 'district':
      return districtName(value, lang);
    case 'paymentMethod':
      return translate(lang, `payment.${value}`);
    case 'hour':
      return translate(lang, 'reports.hourValue', { hour: value });
    case 'denomination':
      return formatWon(Number(value));
    default:
      return value;
  }
}

export const groupKeyLabel = (key: GroupKey, lang: Lang): string => translate(lang, `reports.group.${key}`);
export const measureLabel = (m: Measure, lang: Lang): string => translate(lang, `reports.measure.${m}`);

/** Use rate as `12.3%`. */
export function formatRate(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
