import { describe, expect, it } from 'vitest';
import type { InvokeRequest } from '#shared/api/envelope.js';
import { saveThroughHost } from './host-save.js';

describe('saving an export through the Electron host', () => {
  it('asks on the one invoke channel, with the job and the session, and passes the answer back', async () => {
    const seen: InvokeRequest[] = [];
    const bridge = {
      invoke: async (r: InvokeRequest) => {
        seen.push(r);
        return { ok: true as const, result: { saved: true, filename: 'a.csv', size: 3 } };
      },
    };
    expect(await saveThroughHost(bridge, 'job-1', 'tok')).toEqual({ ok: true, result: { saved: true, filename: 'a.csv', size: 3 } });
    expect(seen).toEqual([{ method: 'host.saveExport', input: { jobId: 'job-1' }, session: 'tok' }]);
  });
});
