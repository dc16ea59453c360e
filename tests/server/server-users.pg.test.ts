import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';

// Issue 17, finding 8: users made in a console's user screen exist on the server; the server decides who may make them.
const clock = new Date('2026-03-02T00:00:00.000Z');
const now = () => clock;
let server: ServerHarness;
let root: string;
let official: string;
let clerk: string;

const key = (r: { body: unknown }) => (r.body as { error: { key: string } }).error.key;
const signIn = (username: string, password = `${username}-password-1`) => server.post('/api/auth/sign-in', { username, password });
const serverUser = async (username: string) =>
  (await server.sdb.db.selectFrom('users').select(['username', 'role', 'district_code', 'disabled', 'must_change_password']).where('username', '=', username).executeTakeFirst()) ?? null;

beforeAll(async () => {
  server = await ServerHarness.start({ now });
  root = await server.user('root', 'admin');
  official = await server.user('kim', 'official');
  clerk = await server.user('mapo', 'clerk', '11440');
});
afterAll(() => server?.close());

describe('server accounts by hand-made requests', () => {
  const jung = { username: 'jung', displayName: '중구담당', password: 'jung-password-1', role: 'clerk', districtCode: '11140' };

  it('only an administrator creates an account; an official’s or a clerk’s token gets 403 and nothing is made', async () => {
    for (const token of [official, clerk]) {
      const r = await server.post('/api/users', jung, token);
      expect([r.status, key(r)]).toEqual([403, 'errors.forbidden']);
    }
    expect((await server.post('/api/users', jung)).status).toBe(401);
    expect(await serverUser('jung')).toBeNull();
  });

  it('an account the administrator made signs in with its role and district and reads the log', async () => {
    const made = await server.post('/api/users', jung, root);
    expect(made.status).toBe(200);
    const r = await signIn('jung');
    expect(r.status).toBe(200);
    const { token, user } = r.body as { token: string; user: Record<string, unknown> };
    expect(user).toMatchObject({ username: 'jung', role: 'clerk', districtCode: '11140', mustChangePassword: false });
    expect((await server.get('/api/events?after=0&limit=10', token)).status).toBe(200);
  });

  it('changing an account is the administrator’s alone, and checked: district binding, the policy, not themself', async () => {
    for (const token of [official, clerk]) expect((await server.post('/api/users/jung/account', { disabled: true }, token)).status).toBe(403);
    const noDistrict = await server.post('/api/users/jung/account', { districtCode: null }, root);
    expect([noDistrict.status, key(noDistrict)]).toEqual([400, 'errors.clerkNeedsDistrict']);
    const weak = await server.post('/api/users/jung/account', { password: 'aaaaaaaaaaaaaaaa' }, root);
    expect(weak.status).toBe(400);
    expect(key(weak)).toMatch(/^passwordPolicy\./);
    const self = await server.post('/api/users/root/account', { role: 'official' }, root);
    expect([self.status, key(self)]).toEqual([409, 'errors.cannotDemoteSelf']);
    expect(await serverUser('jung')).toMatchObject({ role: 'clerk', district_code: '11140', disabled: false, must_change_password: false });
    expect(await serverUser('root')).toMatchObject({ role: 'admin' });
  });

  it('a disabled account’s tokens end at once (401) and it cannot sign in', async () => {
    const { token } = (await signIn('jung')).body as { token: string };
    const r = await server.post('/api/users/jung/account', { disabled: true }, root);
    expect(r.body).toMatchObject({ disabled: true });
    expect((r.body as { revoked: number }).revoked).toBeGreaterThanOrEqual(1);
    expect((await server.get('/api/head', token)).status).toBe(401);
    expect((await signIn('jung')).status).toBe(401);
    await server.post('/api/users/jung/account', { disabled: false }, root);
  });

  it('a reset password signs in only to be changed, even when it meets the policy, until its owner changes it', async () => {
    const { token: old } = (await signIn('jung')).body as { token: string };
    expect((await server.post('/api/users/jung/account', { password: 'violet-harbour-lantern-7' }, root)).status).toBe(200);
    expect((await server.get('/api/head', old)).status).toBe(401);
    expect((await signIn('jung')).status).toBe(401);
    const r = await signIn('jung', 'violet-harbour-lantern-7');
    const { token, user } = r.body as { token: string; user: { mustChangePassword: boolean } };
    expect(user.mustChangePassword).toBe(true);
    expect([(await server.get('/api/head', token)).status, key(await server.get('/api/head', token))]).toEqual([403, 'passwordPolicy.changeRequired']);
    expect((await server.post('/api/auth/change-password', { currentPassword: 'violet-harbour-lantern-7', newPassword: 'jung-password-1' }, token)).status).toBe(200);
    expect((await server.get('/api/head', token)).status).toBe(200);
    expect(((await signIn('jung')).body as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(false);
  });
});

describe('the console’s user screen does it on the server', () => {
  let a: Harness;
  let adminA: string;

  beforeAll(async () => {
    a = await Harness.start(now);
    adminA = await a.admin();
    await server.user('admin', 'admin');
    await a.call('sync.connect', { serverUrl: server.url, username: 'admin', password: 'admin-password-1' }, adminA);
  });
  // Background server sign-ins are waited for in each test: one cut off by closing the console holds the server's close.
  afterAll(() => a?.close());

  const newClerk = { username: 'seo', displayName: '서초담당', password: 'seo-password-1', role: 'clerk' as const, districtCode: '11650' as const };

  it('a clerk made in the console exists on the server with its role and district, then on the console', async () => {
    const u = await a.call('users.create', newClerk, adminA);
    expect(await serverUser('seo')).toMatchObject({ role: 'clerk', district_code: '11650', disabled: false });
    expect((await a.call('users.list', {}, adminA)).find((x) => x.id === u.id)).toMatchObject({ username: 'seo', role: 'clerk' });
  });

  it('a second console that has never seen the clerk signs them in as the server knows them, and they sync', async () => {
    const b = await Harness.start(now);
    try {
      const adminB = await b.admin();
      await b.call('sync.connect', { serverUrl: server.url, username: 'admin', password: 'admin-password-1' }, adminB);
      const { token, user } = await b.call('auth.signIn', { username: 'seo', password: 'seo-password-1' });
      expect(user).toMatchObject({ username: 'seo', role: 'clerk', districtCode: '11650', mustChangePassword: false });
      await b.backend.deps.sync.signInsSettled();
      expect(await b.sync(token)).toMatchObject({ state: 'done' });
      const wrong = await b.fail('auth.signIn', { username: 'nobody', password: 'seo-password-1' });
      expect(wrong.key).toBe('errors.badCredentials');
    } finally {
      await b.close();
    }
  });

  it('a name the server already has for someone else is refused, and nothing is written', async () => {
    const e = await a.fail('users.create', { ...newClerk, username: 'kim', password: 'another-kim-password-9' }, adminA);
    expect(e.key).toBe('serverUsers.takenOnServer');
    expect((await a.call('users.list', {}, adminA)).some((x) => x.username === 'kim')).toBe(false);
  });

  it('offline: a clear message, nothing on the console either', async () => {
    const url = server.url;
    await a.backend.deps.db.updateTable('sync_state').set({ server_url: 'http://127.0.0.1:9' }).where('id', '=', 1).execute();
    try {
      const e = await a.fail('users.create', { ...newClerk, username: 'gwan' }, adminA);
      expect(e.key).toBe('serverUsers.offline');
      expect((await a.call('users.list', {}, adminA)).some((x) => x.username === 'gwan')).toBe(false);
    } finally {
      await a.backend.deps.db.updateTable('sync_state').set({ server_url: url }).where('id', '=', 1).execute();
    }
  });

  it('disabling in the console disables on the server and ends the clerk’s server tokens', async () => {
    const { token } = (await signIn('seo')).body as { token: string };
    const seo = (await a.call('users.list', {}, adminA)).find((x) => x.username === 'seo')!;
    await a.call('users.update', { id: seo.id, disabled: true }, adminA);
    expect(await serverUser('seo')).toMatchObject({ disabled: true });
    expect((await server.get('/api/head', token)).status).toBe(401);
    await a.call('users.update', { id: seo.id, disabled: false }, adminA);
    expect(await serverUser('seo')).toMatchObject({ disabled: false });
  });

  it('a reset in the console sets must-change on both; the clerk’s own change then changes the server password too', async () => {
    const seo = (await a.call('users.list', {}, adminA)).find((x) => x.username === 'seo')!;
    await a.call('users.update', { id: seo.id, password: 'amber-quiet-meadow-42' }, adminA);
    expect(await serverUser('seo')).toMatchObject({ must_change_password: true });
    const { token, user } = await a.call('auth.signIn', { username: 'seo', password: 'amber-quiet-meadow-42' });
    expect(user.mustChangePassword).toBe(true);
    await a.backend.deps.sync.signInsSettled();
    await a.call('auth.changePassword', { currentPassword: 'amber-quiet-meadow-42', newPassword: 'copper-river-sparrow-88' }, token);
    expect(await serverUser('seo')).toMatchObject({ must_change_password: false });
    expect((await signIn('seo', 'amber-quiet-meadow-42')).status).toBe(401);
    expect((await signIn('seo', 'copper-river-sparrow-88')).status).toBe(200);
  });

  it('an official’s console session cannot make users (the backend), and the server would refuse their token anyway', async () => {
    await server.user('lee', 'official');
    const lee = await a.user(adminA, 'lee', 'official');
    await a.backend.deps.sync.signInsSettled();
    const e = await a.fail('users.create', { ...newClerk, username: 'gang' }, lee.session);
    expect(e.code).toBe('forbidden');
    expect(await serverUser('gang')).toBeNull();
  });
});
