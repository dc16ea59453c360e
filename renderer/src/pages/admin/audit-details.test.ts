import { describe, expect, it } from 'vitest';
import { auditDetailsText, auditTargetText } from './audit-details.js';

// Expected texts written by hand from the catalogs' words and the districts' names.
describe('the audit log in words', () => {
  it('names districts, roles, providers and reasons instead of their codes; money in won', () => {
    expect(auditDetailsText({ username: 'demo-clerk', role: 'clerk', districtCode: '11440' }, 'ko')).toBe('아이디 demo-clerk · 역할 구청 담당자 · 담당 자치구 마포구');
    expect(auditDetailsText({ username: 'demo-clerk', role: 'clerk', districtCode: '11440' }, 'en')).toBe('username demo-clerk · role District clerk · district Mapo-gu');
    expect(auditDetailsText({ receiptNo: 'R-1', amount: 465000, awaitingSecond: true, districtCode: null }, 'ko')).toBe('접수번호 R-1 · 금액 ₩465,000 · 2인 승인 대기 예 · 담당 자치구 —');
    expect(auditDetailsText({ provider: 'toss', rows: 12000 }, 'ko')).toBe('결제 대행사 토스페이먼츠 · 행 수 12,000');
    expect(auditDetailsText({ commandId: 'c6b50dda-f1c7-430b-9134-d4d4bbecbb2e' }, 'en')).toBe('command c6b50dda');
    expect(auditDetailsText({ warnings: ['discount_high', 'opens_past'] }, 'en')).toBe('warnings discount_high, opens_past');
  });

  it('keeps a key the catalog does not name, and nested records as written', () => {
    expect(auditDetailsText({ somethingNew: 3, changes: { passwordReset: true } }, 'ko')).toBe('somethingNew 3 · 변경 {"passwordReset":true}');
    expect(auditDetailsText({}, 'ko')).toBe('');
  });

  it('names the target: a UUID by its start, a district day by the district, a provider day by the provider', () => {
    expect(auditTargetText('user', '3b43d54d-1111-4222-8333-444455556666', 'ko')).toBe('사용자 3b43d54d');
    expect(auditTargetText('district_day', '11440:2026-12-07', 'ko')).toBe('자치구 일일 마감 마포구 2026-12-07');
    expect(auditTargetText('reconcile_day', '2026-12-07/toss', 'en')).toBe('Reconcile day 2026-12-07 Toss Payments');
    expect(auditTargetText('server', null, 'en')).toBe('Server');
    expect(auditTargetText('round', 'demo-2022-07-14', 'ko')).toBe('회차 demo-2022-07-14');
  });
});
