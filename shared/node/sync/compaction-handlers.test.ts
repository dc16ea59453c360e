import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { formatError } from '../../i18n/index.js';

/** The console side of folding settled uses: it only asks the server, so without one it says so and does nothing. */
let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await Harness.start();
  admin = await h.admin();
});
afterAll(() => h.close());

describe('folding settled uses from a console', () => {
  it('says in Korean that folding is the server’s, on a console with no server, for the list and the act', async () => {
    for (const [method, input] of [['compaction.folds', {}], ['compaction.fold', { olderThanDays: 30 }]] as const) {
      const err = await h.fail(method, input, admin);
      expect(err.key, method).toBe('compaction.noServer');
      expect(formatError('ko', err), method).toContain('서버에서만');
    }
  });

  it('refuses a fold younger than a week or past ten years at the boundary, naming the field', async () => {
    for (const olderThanDays of [6, 3_651, 7.5]) {
      const err = await h.fail('compaction.fold', { olderThanDays }, admin);
      expect(err.code, String(olderThanDays)).toBe('invalid_input');
      expect(err.issues?.[0]?.path).toBe('olderThanDays');
    }
  });
});
