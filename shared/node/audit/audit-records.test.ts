import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await Harness.start();
  admin = await h.admin();
});
afterEach(() => h.close());

const entries = async (action: string) => (await h.call('audit.list', { limit: 1000 }, admin)).filter((e) => e.action === action);

describe('audit entries for sign-in and server connection', () => {
  it('records a sign-in with who signed in', async () => {
    const kim = await h.user(admin, 'kim', 'analyst');
    expect((await entries('session.signIn')).map((e) => [e.actorId, e.details])).toEqual([
      [kim.id, { username: 'kim' }],
      [expect.any(String), { username: 'admin' }],
    ]);
  });

  it('records a failed sign-in with the name tried and why, never the password', async () => {
    const kim = await h.user(admin, 'kim', 'analyst');
    await h.fail('auth.signIn', { username: 'kim', password: 'not-kims-password-9' });
    await h.fail('auth.signIn', { username: 'nobody', password: 'a-guess-123' });
    await h.call('users.update', { id: kim.id, disabled: true }, admin);
    await h.fail('auth.signIn', { username: 'kim', password: 'kim-password-1' });
    const failed = await entries('session.signInFailed');
    expect(failed.map((e) => [e.actorId, e.actorName, e.details])).toEqual([
      [kim.id, 'kim', { username: 'kim', reasonKey: 'errors.accountDisabled' }],
      [null, 'nobody', { username: 'nobody', reasonKey: 'errors.badCredentials' }],
      [kim.id, 'kim', { username: 'kim', reasonKey: 'errors.badCredentials' }],
    ]);
    const text = JSON.stringify(await h.call('audit.list', { limit: 1000 }, admin));
    for (const password of ['not-kims-password-9', 'a-guess-123', 'kim-password-1']) expect(text).not.toContain(password);
  });

  it('records a failed connection to a server, with the reason and without the password', async () => {
    await h.fail('sync.connect', { serverUrl: 'http://127.0.0.1:9/', username: 'city-hall', password: 'server-secret-1' }, admin);
    const [e] = await entries('server.connectFailed');
    expect(e).toMatchObject({ actorName: '관리자', entityType: 'server', entityId: null, details: { serverUrl: 'http://127.0.0.1:9', username: 'city-hall', reasonKey: 'sync.offline' } });
    expect(JSON.stringify(e)).not.toContain('server-secret-1');
  });

  it('keeps the chain whole across the new entries', async () => {
    await h.user(admin, 'kim', 'analyst');
    await h.fail('auth.signIn', { username: 'kim', password: 'wrong-password-1' });
    expect(await h.call('audit.verify', {}, admin)).toMatchObject({ chain: { ok: true }, verdict: 'unverified', anchor: { state: 'notConnected' } });
  });
});

describe('automatic verification', () => {
  it('verifies at backend start, before anyone clicks', async () => {
    for (let i = 0; i < 100 && (await h.call('audit.status', {}, admin)) === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await h.call('audit.status', {}, admin)).toMatchObject({ verdict: 'unverified', anchor: { state: 'notConnected' } });
  });
});
