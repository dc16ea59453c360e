import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import { translate } from '../i18n/index.js';
import { openingIssues, rescheduledWindow } from './opening-check.js';

describe('an opening in the past', () => {
  const spec = { ...spec2022(), opensAt: '2026-12-07T01:00:00.000Z', closesAt: '2026-12-07T09:00:00.000Z' }; // 10:00–18:00 Seoul

  it('is said for rounds that still have to be scheduled, not for those already on sale', () => {
    const after = new Date('2026-12-07T01:00:00.000Z');
    const before = new Date('2026-12-07T00:59:59.000Z');
    expect(openingIssues(spec, 'draft', before, 'local')).toEqual([]);
    for (const status of ['draft', 'approved', 'scheduled'] as const) {
      expect(openingIssues(spec, status, after, 'local').map((i) => `${i.path}:${i.code}:${i.severity}`), status).toEqual(['opensAt:roundForm.opensInPastLocalClock:warning']);
    }
    for (const status of ['on_sale', 'closed', 'settled'] as const) expect(openingIssues(spec, status, after, 'local'), status).toEqual([]);
  });

  it('names whose clock judged it, in Seoul time', () => {
    const now = new Date('2026-12-07T02:30:00.000Z');
    const [local] = openingIssues(spec, 'draft', now, 'local');
    const [server] = openingIssues(spec, 'draft', now, 'server');
    expect(translate('ko', local!.code, local!.params)).toContain('이 컴퓨터 시각 2026. 12. 07. 11:30');
    expect(translate('ko', local!.code, local!.params)).toContain('판매 예약 때 서버가 자기 시각으로 다시 확인합니다');
    expect(translate('ko', server!.code, server!.params)).toContain('서버 시각 2026. 12. 07. 11:30');
  });
});

describe('the way out: the same sale moved past now', () => {
  const spec = { opensAt: '2026-12-07T01:00:00.000Z', closesAt: '2026-12-07T09:00:00.000Z' };
  // Hand-worked: the next whole day after now at 10:00 Seoul, still eight hours long.
  const table: [string, string, string][] = [
    ['2026-12-07T01:00:00.000Z', '2026-12-08T01:00:00.000Z', '2026-12-08T09:00:00.000Z'],
    ['2026-12-07T05:00:00.000Z', '2026-12-08T01:00:00.000Z', '2026-12-08T09:00:00.000Z'],
    ['2026-12-08T00:59:00.000Z', '2026-12-08T01:00:00.000Z', '2026-12-08T09:00:00.000Z'],
    ['2026-12-08T01:00:00.000Z', '2026-12-09T01:00:00.000Z', '2026-12-09T09:00:00.000Z'],
    ['2026-12-20T12:00:00.000Z', '2026-12-21T01:00:00.000Z', '2026-12-21T09:00:00.000Z'],
  ];
  it.each(table)('at %s opens %s and closes %s', (now, opensAt, closesAt) => {
    expect(rescheduledWindow(spec, new Date(now))).toEqual({ opensAt, closesAt });
  });
});
