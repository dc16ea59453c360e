import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHODS } from '../api/contract.js';
import { en, formatError, formatIssue, ko, translate } from './index.js';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(f) && !f.endsWith('.test.ts') ? [p] : [];
  });
}

describe('messages', () => {
  it('have the same keys in Korean and English', () => {
    expect(keys(en).sort()).toEqual(keys(ko).sort());
  });

  it('exist in both languages for every message key the code uses', () => {
    const used = new Set<string>();
    for (const file of [...sources('shared'), ...sources('server'), ...sources('renderer/src')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`]((?:issues|lifecycle|ledger|errors|sync|refunds|counter|simulation|jobs|rounds|admin|auth|setup|ledgerPage)\.[A-Za-z_]+)['"`]/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    const all = new Set(keys(ko));
    // API method names look like keys (`rounds.list`) but are not messages.
    const methods = new Set<string>(METHODS);
    // Kysely names columns the same way (`rounds.id`).
    for (const c of ['id', 'status', 'created_at', 'created_by', 'current_version', 'approved_version', 'updated_at']) methods.add(`rounds.${c}`);
    expect([...used].filter((k) => !all.has(k) && !methods.has(k))).toEqual([]);
  });

  it('format money and field names into validation messages', () => {
    const issue = { path: 'perPersonMonthlyLimit', code: 'issues.purchaseAboveHolding', severity: 'error' as const, params: { limit: 2_000_000, holding: 1_000_000 } };
    expect(formatIssue('ko', issue)).toBe('1인 월 구매 한도(₩2,000,000)가 보유 한도(₩1,000,000)보다 클 수 없습니다');
    expect(formatIssue('en', issue)).toBe('The monthly purchase limit (₩2,000,000) cannot exceed the holding limit (₩1,000,000)');
    const unit = { path: 'totalAmount', code: 'issues.amountUnit', severity: 'error' as const, params: { field: 'totalAmount', value: 25_000_005_000, unit: 10_000 } };
    expect(formatIssue('ko', unit)).toBe('발행 총액은 ₩10,000 단위여야 합니다 (입력: ₩25,000,005,000)');
    expect(formatIssue('en', unit)).toBe('Total amount must be a multiple of ₩10,000 (entered ₩25,000,005,000)');
    // The particle follows the field name: 총액은, 한도는.
    const positive = { path: 'perPersonMonthlyLimit', code: 'issues.amountPositive', severity: 'error' as const, params: { field: 'perPersonMonthlyLimit' } };
    expect(formatIssue('ko', positive)).toBe('1인 월 구매 한도는 0원보다 커야 합니다');
  });

  it('translate statuses and actions named in parameters', () => {
    expect(translate('ko', 'lifecycle.notInStatus', { status: 'on_sale', action: 'schedule' })).toBe('"판매 중" 상태에서는 판매 예약 할 수 없습니다');
    expect(translate('en', 'lifecycle.onSaleLocked', { fields: 'discountBp, totalAmount' })).toContain('Discount rate, Total amount');
  });

  it('fall back to the server’s message for keys it does not know', () => {
    expect(formatError('ko', { code: 'internal', key: 'no.such.key', message: 'raw message' })).toBe('raw message');
  });

  it('names a district instead of its code', () => {
    expect(translate('ko', 'sync.otherDistrict', { district: '11440' })).toBe('다른 자치구(마포구)의 구매 건은 처리할 수 없습니다');
    expect(translate('en', 'sync.otherDistrict', { district: '11680' })).toContain('Gangnam-gu');
  });
});
