import { sql } from 'kysely';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomDataKey, vaultFromKey } from '../../secrets/vault.js';
import { migrateTo, openDatabase } from '../open.js';

const TOKEN = 'plain-server-token-' + 'x'.repeat(30);
const vault = vaultFromKey(randomDataKey());
let dir: string;
let file: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ic-0007-'));
  file = join(dir, 'console.sqlite');
  // A console from before this migration, connected to a server: the token in plain text.
  const l = openDatabase(file);
  await migrateTo(l.db, '0004_sync');
  await sql`update sync_state set server_url = 'http://server.example', token = ${TOKEN} where id = 1`.execute(l.db);
  await l.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fileBytes = () => Buffer.concat(['', '-wal'].map((s) => { try { return readFileSync(file + s); } catch { return Buffer.alloc(0); } }));

describe('migration 0007_sealed_secrets', () => {
  it('seals a plain token in place, leaving no plain copy in the file', async () => {
    expect(fileBytes().includes(Buffer.from(TOKEN))).toBe(true);
    const l = openDatabase(file, { vault });
    await migrateTo(l.db, '0007_sealed_secrets');
    l.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const { token } = await l.db.selectFrom('sync_state').select('token').executeTakeFirstOrThrow();
    expect(token).toMatch(/^sealed:v1:/);
    expect(vault.open(token!)).toBe(TOKEN);
    await l.close();
    expect(fileBytes().includes(Buffer.from(TOKEN))).toBe(false);
  });

  it('leaves a missing token alone and rolls back to the plain token', async () => {
    const l = openDatabase(file, { vault });
    await migrateTo(l.db, '0007_sealed_secrets');
    await migrateTo(l.db, '0004_sync');
    expect((await l.db.selectFrom('sync_state').select('token').executeTakeFirstOrThrow()).token).toBe(TOKEN);
    await sql`update sync_state set token = null`.execute(l.db);
    await migrateTo(l.db, '0007_sealed_secrets');
    expect((await l.db.selectFrom('sync_state').select('token').executeTakeFirstOrThrow()).token).toBeNull();
    await l.close();
  });

  it('refuses to run without a vault rather than leave the token plain', async () => {
    const l = openDatabase(file);
    await expect(migrateTo(l.db, '0007_sealed_secrets')).rejects.toThrow(/no vault/);
    await l.close();
  });
});
