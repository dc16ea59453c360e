import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';

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
    const err = await h.fail('setup.createAdmin', { username: 'a', displayName: '', password: 'short' });
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

describe('password policy', () => {
  it('refuses the username and common passwords on every form that sets one, naming the field, writing nothing', async () => {
    expect(await h.fail('setup.createAdmin', { username: 'admin', displayName: '관리자', password: 'qwertyuiop' })).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'password', code: 'errors.passwordTooCommon' }],
    });
    expect(await h.call('setup.status', {})).toEqual({ needsAdmin: true });
    const admin = await h.admin();
    expect(await h.fail('users.create', { username: 'seoul.clerk1', displayName: 'c', password: 'seoul.clerk1', role: 'analyst', districtCode: null }, admin)).toMatchObject({
      issues: [{ path: 'password', code: 'errors.passwordIsUsername' }],
    });
    expect((await h.call('users.list', {}, admin)).map((u) => u.username)).toEqual(['admin']);
    const u = await h.user(admin, 'park', 'analyst');
    expect(await h.fail('users.update', { id: u.id, password: 'park123456' }, admin)).toMatchObject({ issues: [{ path: 'password', code: 'errors.passwordContainsUsername' }] });
    expect(await h.fail('auth.changePassword', { currentPassword: 'admin-password-1', newPassword: 'Password123' }, admin)).toMatchObject({
      issues: [{ path: 'newPassword', code: 'errors.passwordTooCommon' }],
    });
    expect((await h.raw('auth.signIn', { username: 'park', password: 'park-password-1' })).ok).toBe(true);
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
