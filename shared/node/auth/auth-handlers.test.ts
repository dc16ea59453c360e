import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { hashPassword } from './password.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(() => h.close());

describe('first run', () => {
  it('asks for an admin once, and only once', async () => {
    expect(await h.call('setup.status', {})).toEqual({ needsAdmin: true });
    const admin = await h.call('setup.createAdmin', { username: 'Admin', displayName: '관리자', password: 'admin-password-1' });
    expect(admin).toMatchObject({ username: 'admin', role: 'admin', districtCode: null, disabled: false });
    expect(await h.call('setup.status', {})).toEqual({ needsAdmin: false });
    expect(await h.fail('setup.createAdmin', { username: 'other', displayName: 'x', password: 'admin-password-2' })).toMatchObject({ code: 'conflict', key: 'errors.setupDone' });
  });

  it('refuses weak input with a message naming the field', async () => {
    const err = await h.fail('setup.createAdmin', { username: 'a', displayName: '', password: '' });
    expect(err.code).toBe('invalid_input');
    expect(err.issues?.map((i) => i.path).sort()).toEqual(['displayName', 'password', 'username']);
    expect(await h.call('setup.status', {})).toEqual({ needsAdmin: true });
  });

  it('serialises two first-run screens racing: one admin', async () => {
    const results = await Promise.all([
      h.raw('setup.createAdmin', { username: 'one', displayName: 'one', password: 'admin-password-1' }),
      h.raw('setup.createAdmin', { username: 'two', displayName: 'two', password: 'admin-password-1' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});

/** Issue 17, finding 3: every one of these was accepted; `Zq3` as the server's --admin. */
const ISSUE_17_WEAK = ['aaaaaaaaaa', '0000000000', '1111111111', 'abcdefghij', 'admin12345', 'seoul12345', '          x', 'Zq3'];

describe('password policy', () => {
  it('refuses every weak password of issue 17 on first run, user creation, reset and change, writing nothing', async () => {
    for (const password of ISSUE_17_WEAK) {
      expect(await h.fail('setup.createAdmin', { username: 'root', displayName: '관리자', password }), password).toMatchObject({
        code: 'validation_failed',
        key: 'passwordPolicy.tooShort',
        issues: [{ path: 'password', code: 'passwordPolicy.tooShort' }],
      });
    }
    expect(await h.call('setup.status', {})).toEqual({ needsAdmin: true });
    const admin = await h.admin();
    const park = await h.user(admin, 'park', 'analyst');
    for (const password of ISSUE_17_WEAK) {
      expect((await h.fail('users.create', { username: 'seoul.clerk', displayName: 'c', password, role: 'analyst', districtCode: null }, admin)).key, password).toBe('passwordPolicy.tooShort');
      expect((await h.fail('users.update', { id: park.id, password }, admin)).key, password).toBe('passwordPolicy.tooShort');
      expect((await h.fail('auth.changePassword', { currentPassword: 'admin-password-1', newPassword: password }, admin)).key, password).toBe('passwordPolicy.tooShort');
    }
    expect((await h.call('users.list', {}, admin)).map((u) => u.username)).toEqual(['admin', 'park']);
    expect((await h.raw('auth.signIn', { username: 'park', password: 'park-password-1' })).ok).toBe(true);
    expect((await h.raw('auth.signIn', { username: 'admin', password: 'admin-password-1' })).ok).toBe(true);
  });

  it('says why a long but guessable password is refused, with the name, district and product words as inputs', async () => {
    expect(await h.fail('setup.createAdmin', { username: 'admin', displayName: '관리자', password: 'aaaaaaaaaaaa' })).toMatchObject({
      issues: [{ path: 'password', code: 'passwordPolicy.guessable.simpleRepeat' }],
    });
    const admin = await h.admin();
    expect((await h.fail('users.create', { username: 'seoul.clerk1', displayName: 'c', password: 'seoul.clerk1', role: 'analyst', districtCode: null }, admin)).key).toBe('passwordPolicy.isUsername');
    expect((await h.fail('users.create', { username: 'hong', displayName: '홍길동', password: '홍길동홍길동123456', role: 'analyst', districtCode: null }, admin)).key).toBe('passwordPolicy.containsName');
    expect((await h.fail('users.create', { username: 'mapo1', displayName: 'm', password: '마포구마포구마포구123', role: 'clerk', districtCode: '11440' }, admin)).key).toBe('passwordPolicy.containsName');
    expect((await h.fail('auth.changePassword', { currentPassword: 'admin-password-1', newPassword: 'seoul1234567' }, admin)).key).toMatch(/^passwordPolicy\.guessable\./);
  });

  it('makes a user whose stored password fails the policy change it at sign-in before anything else', async () => {
    const admin = await h.admin();
    const park = await h.user(admin, 'park', 'analyst');
    // A password set under the old rule (ten characters): only the hash is stored, so sign-in is the first moment it can be judged.
    await h.backend.deps.db.updateTable('users').set({ password_hash: await hashPassword('seoul12345') }).where('id', '=', park.id).execute();
    const signedIn = await h.call('auth.signIn', { username: 'park', password: 'seoul12345' });
    expect(signedIn.user.mustChangePassword).toBe(true);
    expect(await h.fail('reports.saved', {}, signedIn.token)).toMatchObject({ code: 'forbidden', key: 'passwordPolicy.changeRequired' });
    expect((await h.call('auth.me', {}, signedIn.token)).mustChangePassword).toBe(true);
    expect((await h.fail('auth.changePassword', { currentPassword: 'seoul12345', newPassword: 'seoul1234567' }, signedIn.token)).key).toMatch(/^passwordPolicy\./);
    await h.call('auth.changePassword', { currentPassword: 'seoul12345', newPassword: 'jeju harbour lantern' }, signedIn.token);
    expect((await h.call('auth.me', {}, signedIn.token)).mustChangePassword).toBe(false);
    expect((await h.raw('reports.saved', {}, signedIn.token)).ok).toBe(true);
    // A strong password at sign-in leaves the flag clear.
    expect((await h.call('auth.signIn', { username: 'admin', password: 'admin-password-1' })).user.mustChangePassword).toBe(false);
  });
});

describe('sign in', () => {
  beforeEach(async () => {
    await h.admin();
  });

  it('gives a session for the right password only', async () => {
    expect(await h.fail('auth.signIn', { username: 'admin', password: 'wrong-password' })).toMatchObject({ code: 'unauthenticated', key: 'errors.badCredentials' });
    expect(await h.fail('auth.signIn', { username: 'ghost', password: 'wrong-password' })).toMatchObject({ key: 'errors.badCredentials' });
    const { token, user } = await h.call('auth.signIn', { username: 'ADMIN ', password: 'admin-password-1' });
    expect(user.username).toBe('admin');
    expect((await h.call('auth.me', {}, token)).id).toBe(user.id);
    await h.call('auth.signOut', {}, token);
    expect((await h.fail('auth.me', {}, token)).code).toBe('unauthenticated');
  });

  it('slows down guessing after five failures', async () => {
    for (let i = 0; i < 5; i++) await h.fail('auth.signIn', { username: 'admin', password: `guess-${i}` });
    expect(await h.fail('auth.signIn', { username: 'admin', password: 'admin-password-1' })).toMatchObject({ code: 'rate_limited', params: { seconds: 15 } });
    h.advance(15_000);
    expect((await h.raw('auth.signIn', { username: 'admin', password: 'admin-password-1' })).ok).toBe(true);
  });

  it('ends idle sessions', async () => {
    const { token } = await h.call('auth.signIn', { username: 'admin', password: 'admin-password-1' });
    h.advance(61 * 60_000);
    expect((await h.fail('auth.me', {}, token)).code).toBe('unauthenticated');
  });

  it('changes a password, ending the user’s other sessions', async () => {
    const a = (await h.call('auth.signIn', { username: 'admin', password: 'admin-password-1' })).token;
    const b = (await h.call('auth.signIn', { username: 'admin', password: 'admin-password-1' })).token;
    expect(await h.fail('auth.changePassword', { currentPassword: 'nope', newPassword: 'new-password-22' }, a)).toMatchObject({ code: 'validation_failed', key: 'errors.wrongPassword' });
    await h.call('auth.changePassword', { currentPassword: 'admin-password-1', newPassword: 'new-password-22' }, a);
    expect((await h.raw('auth.me', {}, a)).ok).toBe(true);
    expect((await h.fail('auth.me', {}, b)).code).toBe('unauthenticated');
    expect((await h.raw('auth.signIn', { username: 'admin', password: 'new-password-22' })).ok).toBe(true);
  });
});

describe('users', () => {
  let admin: string;
  beforeEach(async () => {
    admin = await h.admin();
  });

  it('binds clerks to a district and nobody else', async () => {
    expect(await h.fail('users.create', { username: 'clerk', displayName: 'c', password: 'clerk-password-1', role: 'clerk', districtCode: null }, admin)).toMatchObject({ key: 'errors.clerkNeedsDistrict' });
    expect(await h.fail('users.create', { username: 'ana', displayName: 'a', password: 'ana-password1', role: 'analyst', districtCode: '11440' }, admin)).toMatchObject({ key: 'errors.districtOnlyForClerk' });
    expect((await h.fail('users.create', { username: 'clerk', displayName: 'c', password: 'clerk-password-1', role: 'clerk', districtCode: '99999' as '11440' }, admin)).code).toBe('invalid_input');
    const c = await h.call('users.create', { username: 'clerk', displayName: 'c', password: 'clerk-password-1', role: 'clerk', districtCode: '11440' }, admin);
    expect(c).toMatchObject({ role: 'clerk', districtCode: '11440' });
    // Promoting a clerk clears the district binding.
    expect(await h.call('users.update', { id: c.id, role: 'official' }, admin)).toMatchObject({ role: 'official', districtCode: null });
  });

  it('refuses a taken username and an admin locking themselves out', async () => {
    await h.call('users.create', { username: 'kim', displayName: 'k', password: 'kim-password-1', role: 'official', districtCode: null }, admin);
    expect(await h.fail('users.create', { username: 'kim', displayName: 'k2', password: 'kim-password-1', role: 'analyst', districtCode: null }, admin)).toMatchObject({ code: 'conflict', key: 'errors.usernameTaken' });
    const me = await h.call('auth.me', {}, admin);
    expect(await h.fail('users.update', { id: me.id, disabled: true }, admin)).toMatchObject({ key: 'errors.cannotDemoteSelf' });
    expect(await h.fail('users.update', { id: me.id, role: 'analyst' }, admin)).toMatchObject({ key: 'errors.cannotDemoteSelf' });
  });

  it('ends sessions of a user whose password is reset', async () => {
    const u = await h.user(admin, 'park', 'analyst');
    await h.call('users.update', { id: u.id, password: 'reset-password-1' }, admin);
    expect((await h.fail('rounds.list', {}, u.session)).code).toBe('unauthenticated');
    const log = await h.call('audit.list', {}, admin);
    expect(log[0]).toMatchObject({ action: 'user.update', details: { username: 'park', changes: { passwordReset: true } } });
    expect(JSON.stringify(log)).not.toContain('reset-password-1');
  });
});
