import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFromArgs } from '../../server/cli/admin.js';
import { hashPassword } from '../../shared/node/auth/password.js';
import { translate } from '../../shared/i18n/index.js';
import { ServerHarness } from '../support/server-harness.js';
import { runServerCommand } from '../support/server-process.js';

/** Issue 17, finding 3: every one of these was accepted by the server; `Zq3` made the administrator. */
const WEAK = ['aaaaaaaaaa', '0000000000', '1111111111', 'abcdefghij', 'admin12345', 'seoul12345', '          x', 'Zq3'];

let s: ServerHarness;
let admin: string;
beforeAll(async () => {
  s = await ServerHarness.start();
  admin = await s.user('admin', 'admin');
});
afterAll(() => s.close());

describe('server password policy, by hand-made requests', () => {
  it('POST /api/users refuses every weak password of the issue with 400 and the reason, creating no one', async () => {
    for (const password of WEAK) {
      const r = await s.post('/api/users', { username: 'weak.user', displayName: '약한 사용자', password, role: 'analyst', districtCode: null }, admin);
      expect(r.status, JSON.stringify(password)).toBe(400);
      expect((r.body as { error: { key: string; params: Record<string, number> } }).error).toMatchObject({ key: 'passwordPolicy.tooShort', params: { min: 12 } });
    }
    const guessable = await s.post('/api/users', { username: 'weak.user', displayName: 'w', password: 'seoul1234567', role: 'analyst', districtCode: null }, admin);
    expect((guessable.body as { error: { key: string } }).error.key).toMatch(/^passwordPolicy\.guessable\./);
    const users = (await s.get('/api/users', admin)).body as { users: { username: string }[] };
    expect(users.users.map((u) => u.username)).toEqual(['admin']);
  });

  it('an account whose stored password fails the policy must change it before any other request', async () => {
    await s.user('kim', 'official');
    // Set under the old ten-character rule: only sign-in sees the plain text.
    await s.sdb.db.updateTable('users').set({ password_hash: await hashPassword('seoul12345') }).where('username', '=', 'kim').execute();
    const signedIn = await s.post('/api/auth/sign-in', { username: 'kim', password: 'seoul12345' });
    expect(signedIn.status).toBe(200);
    const { token, user } = signedIn.body as { token: string; user: { mustChangePassword: boolean } };
    expect(user.mustChangePassword).toBe(true);
    const blocked = await s.get('/api/head', token);
    expect(blocked.status).toBe(403);
    expect((blocked.body as { error: { key: string } }).error.key).toBe('passwordPolicy.changeRequired');
    expect(translate('ko', 'passwordPolicy.changeRequired')).toContain('비밀번호를 바꾸세요');
    expect((await s.get('/api/me', token)).status).toBe(200);
    const weak = await s.post('/api/auth/change-password', { currentPassword: 'seoul12345', newPassword: 'aaaaaaaaaa' }, token);
    expect(weak.status).toBe(400);
    expect((weak.body as { error: { key: string } }).error.key).toBe('passwordPolicy.tooShort');
    const wrong = await s.post('/api/auth/change-password', { currentPassword: 'not-the-password', newPassword: 'jeju harbour lantern' }, token);
    expect((wrong.body as { error: { key: string } }).error.key).toBe('errors.wrongPassword');
    expect((await s.post('/api/auth/change-password', { currentPassword: 'seoul12345', newPassword: 'jeju harbour lantern' }, token)).status).toBe(200);
    expect((await s.get('/api/head', token)).status).toBe(200);
    expect((await s.post('/api/auth/sign-in', { username: 'kim', password: 'seoul12345' })).status).toBe(401);
    const again = await s.post('/api/auth/sign-in', { username: 'kim', password: 'jeju harbour lantern' });
    expect((again.body as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(false);
  });
});

describe('--admin refuses a weak administrator password', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ic-admin-weak-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('for every password of the issue, from ISSUANCE_ADMIN_PASSWORD, saying why', async () => {
    for (const password of WEAK) {
      await expect(adminFromArgs('root', { ISSUANCE_ADMIN_PASSWORD: password }), JSON.stringify(password)).rejects.toThrow(/at least 12/);
    }
    await expect(adminFromArgs('root', { ISSUANCE_ADMIN_PASSWORD: 'root-password' })).rejects.toThrow(/‘root’/);
  });

  it('`--admin root` with ISSUANCE_ADMIN_PASSWORD=Zq3 stops before opening any database', async () => {
    const dataDir = join(dir, 'zq3');
    const r = await runServerCommand(['--port', '0', '--data-dir', dataDir, '--admin', 'root'], { DATABASE_URL: '', ISSUANCE_ADMIN_PASSWORD: 'Zq3' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('비밀번호가 너무 짧습니다(3자). 12자 이상이어야 합니다');
    expect(existsSync(dataDir)).toBe(false);
  });
});
