import { translate, type Lang } from '../i18n/index.js';
import { groupKeyLabel, groupValueLabel, measureLabel } from './labels.js';
import { MONEY_MEASURES, type ReportResult } from './params.js';
import { DISTRICT_POPULATION } from './populations.js';

/** How a column's figures read: won, a count, a fraction shown as a percentage, or words. */
export type ColumnKind = 'text' | 'money' | 'count' | 'rate';

export interface TableColumn {
  id: string;
  header: string;
  kind: ColumnKind;
}

export interface TableRow {
  id: string;
  /** Words for group keys; numbers for figures (a rate as a fraction); null where a figure does not apply. */
  cells: (string | number | null)[];
  total: boolean;
}

export interface ReportTable {
  columns: TableColumn[];
  rows: TableRow[];
  /** The totals row, pinned under the grid and last in every export; null for a report without groups. */
  total: TableRow | null;
}

/**
 * The report's table as the reports page shows it — its groups, its
 * measures, and for a district report of face sold the district's share (비중)
 * and face sold per registered resident. Exports write this same table, so a
 * file always has the screen's columns.
 */
export function reportTable(result: ReportResult, lang: Lang): ReportTable {
  const districtReport = result.groupBy[0] === 'district' && result.measures.includes('faceSold');
  const columns: TableColumn[] = [
    ...result.groupBy.map((g, i) => ({ id: `k${i}`, header: groupKeyLabel(g, lang), kind: 'text' as const })),
    ...result.measures.map((m) => ({ id: m, header: measureLabel(m, lang), kind: MONEY_MEASURES.has(m) ? ('money' as const) : m === 'useRate' ? ('rate' as const) : ('count' as const) })),
    ...(districtReport
      ? [
          { id: 'share', header: translate(lang, 'reports.share'), kind: 'rate' as const },
          { id: 'perResident', header: translate(lang, 'reports.perResident'), kind: 'money' as const },
        ]
      : []),
  ];
  const faceTotal = result.totals.faceSold ?? 0;
  const extras = (district: string | null, face: number): (number | null)[] => {
    if (!districtReport) return [];
    const pop = district === null ? undefined : DISTRICT_POPULATION[district];
    return [faceTotal > 0 ? face / faceTotal : 0, pop ? Math.floor(face / pop) : null];
  };
  const rows = result.rows.map((r) => ({
    id: r.keys.join('|') || 'all',
    cells: [...r.keys.map((k, i) => groupValueLabel(result.groupBy[i]!, k, lang)), ...result.measures.map((m) => r.values[m] ?? 0), ...extras(r.keys[0] ?? null, r.values.faceSold ?? 0)],
    total: false,
  }));
  const total =
    result.groupBy.length === 0
      ? null
      : {
          id: 'total',
          cells: [...result.groupBy.map((_, i) => (i === 0 ? translate(lang, 'reports.total') : '')), ...result.measures.map((m) => result.totals[m] ?? 0), ...(districtReport ? [1, null] : [])],
          total: true,
        };
  return { columns, rows, total };
}
