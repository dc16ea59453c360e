import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdentity } from '../../server/directory/korean-names.js';
import { translate } from '../../shared/i18n/index.js';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * The counter finds a citizen by mobile number or name + birth date through the
 * server's directory, in the clerk's own name, and shows masked values with the
 * lots of its own ledger; the console keeps no copy of the directory.
 */
const MAPO = '11440';
const SEED = 5;
let server: ServerHarness;
let h: Harness;
let clerk: string;
let buyer: { buyerId: string; name: string; phone: string; birthDate: string; lotIds: string[] };

beforeAll(async () => {
  server = await ServerHarness.start();
  const staff = await server.staff();
  const spec = spec2022();
  await server.openSale('round-counter', spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 300, seed: SEED, usesShare: 0 });
  h = await Harness.start(() => server.now());
  const admin = await h.admin();
  await server.user('admin-c', 'admin', null, 'admin-password-1');
  await h.call('sync.connect', { serverUrl: server.url, username: 'admin-c', password: 'admin-password-1' }, admin);
  await server.user('mapo', 'clerk', MAPO, 'mapo-password-1');
  clerk = (await h.user(admin, 'mapo', 'clerk', MAPO)).session;
  await h.backend.deps.sync.signInsSettled();
  expect(await h.sync(admin)).toMatchObject({ state: 'done' });
  const lot = await server.sdb.db.selectFrom('lots').select(['buyer_id', 'lot_id']).where('district_code', '=', MAPO).orderBy('lot_id').executeTakeFirstOrThrow();
  buyer = { buyerId: lot.buyer_id, lotIds: [lot.lot_id], ...demoIdentity(SEED, Number(lot.buyer_id.split('-').at(-1))) };
});
afterAll(async () => {
  await h?.close();
  await server?.close();
});

describe('refunds.findBuyer', () => {
  it('finds a buyer by mobile number and by name + birth date, masked, with their lots from the ledger', async () => {
    const last4 = buyer.phone.slice(-4);
    for (const input of [
      { by: 'phone' as const, phone: `${buyer.phone.slice(0, 3)}-${buyer.phone.slice(3, 7)}-${last4}`, reason: '환불 문의' },
      { by: 'nameBirth' as const, name: buyer.name, birthDate: buyer.birthDate, reason: '창구 방문' },
    ]) {
      const { buyers } = await h.call('refunds.findBuyer', input, clerk);
      const found = buyers.find((b) => b.buyerId === buyer.buyerId)!;
      expect(found, input.by).toMatchObject({ maskedPhone: `010-****-${last4}`, maskedBirth: `${buyer.birthDate.slice(0, 4)}-**-**`, districtCode: MAPO });
      expect(found.maskedName.startsWith(buyer.name[0]!) && found.maskedName.includes('*')).toBe(true);
      expect(found.lots.map((l) => l.lotId)).toEqual(buyer.lotIds);
      // The working for the lot found is the counter's usual one.
      expect((await h.call('refunds.quote', { lotId: found.lots[0]!.lotId }, clerk)).working.outcome).toMatchObject({ ok: true, kind: 'cancel' });
    }
    const log = await server.sdb.db.selectFrom('directory_access_log').select(['username', 'reason']).orderBy('id').execute();
    expect(log).toEqual([
      { username: 'mapo', reason: '환불 문의' },
      { username: 'mapo', reason: '창구 방문' },
    ]);
  });

  it('names a bad value before asking the server, and records nothing there', async () => {
    const before = (await server.sdb.db.selectFrom('directory_access_log').select('id').execute()).length;
    expect(await h.fail('refunds.findBuyer', { by: 'phone', phone: '1234', reason: '문의' }, clerk)).toMatchObject({ code: 'invalid_input', key: 'directory.badPhone' });
    expect(await h.fail('refunds.findBuyer', { by: 'phone', phone: buyer.phone, reason: '' }, clerk)).toMatchObject({ key: 'directory.reasonNeeded' });
    expect(await h.fail('refunds.findBuyer', { by: 'nameBirth', name: '홍길동', birthDate: '2026-13-01', reason: '문의' }, clerk)).toMatchObject({ key: 'directory.badBirthDate' });
    expect((await server.sdb.db.selectFrom('directory_access_log').select('id').execute()).length).toBe(before);
  });

  it('keeps no name, mobile number or birth date in the console', () => {
    const db = h.backend.ledger.sqlite;
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    const text = tables.map((t) => JSON.stringify(db.prepare(`select * from "${t.name}"`).all())).join('\n');
    expect(text).toContain(buyer.buyerId);
    for (const secret of [buyer.phone, buyer.phone.slice(3), buyer.name, buyer.birthDate]) expect(text).not.toContain(secret);
  });

  it('offline, says why phone and name need the server, and still finds by lot number', async () => {
    await server.app.close();
    const err = await h.fail('refunds.findBuyer', { by: 'phone', phone: buyer.phone, reason: '문의' }, clerk);
    expect(err).toMatchObject({ key: 'directory.needsServer_offline' });
    expect(translate('ko', err.key)).toContain('구매 건 번호나 접수 번호로는 지금도 찾을 수 있습니다');
    expect((await h.call('refunds.search', { lotPart: buyer.lotIds[0]! }, clerk)).lots.map((l) => l.lotId)).toEqual(buyer.lotIds);
  });
});
