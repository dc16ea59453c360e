import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { translate } from '../../i18n/index.js';

/**
 * A live sale is the server's: with no server to ask, the monitor and the
 * steering say why in Korean and change nothing here. (Against a real server:
 * tests/e2e/live-sale.e2e.ts.)
 */
let h: Harness;
let official: string;
let roundId: string;

beforeAll(async () => {
  h = await Harness.start();
  const admin = await h.admin();
  official = (await h.user(admin, 'official', 'official')).session;
  roundId = (await h.call('rounds.create', { spec: spec2022() }, admin)).id;
}, 120_000);
afterAll(() => h.close());

describe('the live sale procedures without a server', () => {
  it('the monitor, a change and an approval each say that no server is set up', async () => {
    for (const [method, input] of [
      ['sale.monitor', { roundId }],
      ['sale.steer', { roundId, change: { kind: 'pause' } }],
      ['sale.approve', { roundId, proposalId: 'p-1' }],
    ] as const) {
      const e = await h.fail(method, input, official);
      expect(e, method).toMatchObject({ code: 'conflict', key: 'saleMonitor.needsServer_notConfigured' });
      expect(translate('ko', e.key)).toContain('서버 연결이 설정되지 않아');
    }
  });

  it('refuses a malformed change or a round unknown here before anything is sent', async () => {
    expect((await h.fail('sale.steer', { roundId, change: { kind: 'add_stock', amount: 5_000 } }, official)).code).toBe('invalid_input');
    expect((await h.fail('sale.steer', { roundId, change: { kind: 'settings', admissionPerMinute: 0, maxActiveSessions: 1, sessionTimeoutMinutes: 1 } }, official)).code).toBe('invalid_input');
    expect((await h.fail('sale.monitor', { roundId: 'no-such-round' }, official)).code).toBe('not_found');
  });
});
