import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { HttpError, parseInput } from '../http/errors.js';
import { lookupProblem, maskName, maskPhone, phoneDigits } from '../../shared/common/buyer-identity.js';
import { directorySearchSchema, type DirectoryMatch } from '../../shared/sync/directory.js';
import { nameBirthHash, phoneHash, unseal, type DirectoryKeys } from './protect.js';

export interface DirectoryRouteDeps {
  db: Kysely<ServerDatabase>;
  now: () => Date;
  keys: DirectoryKeys;
  authenticate(req: FastifyRequest): Promise<ServerUser>;
}

/** More than this many people on one number or name is not a counter search; the clerk narrows it. */
export const DIRECTORY_MAX_RESULTS = 20;

// Formats are checked by lookupProblem, not by zod, so each bad field gets its own Korean message.
const logQuery = z.object({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();


/**
 * Looking up a buyer's personal data. The server decides who may: a clerk,
 * within the district of their own account, whatever the console asks; every
 * lookup, found or not, is written to the access log with the clerk's reason
 * in the same transaction as the read, so no answer leaves unrecorded.
 * Administrators read the log; nobody can change it.
 */
export function registerDirectoryRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): void {
  const { db, keys } = deps;

  app.post('/api/directory/search', async (req): Promise<{ buyers: DirectoryMatch[] }> => {
    const user = await deps.authenticate(req);
    if (user.role !== 'clerk' || !user.districtCode) throw new HttpError(403, 'directory.clerksOnly');
    const body = parseInput(directorySearchSchema, req.body);
    const problem = lookupProblem(body);
    if (problem) throw new HttpError(400, problem.key, problem.params);
    const reason = body.reason.trim();
    const byPhone = body.by === 'phone';
    const column = byPhone ? 'phone_hash' : 'name_birth_hash';
    const hash = byPhone ? phoneHash(keys, phoneDigits(body.phone!)) : nameBirthHash(keys, body.name!, body.birthDate!);
    const district = user.districtCode;
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('buyer_directory')
        .select(['buyer_id', 'district_code', 'phone_sealed', 'name_sealed', 'birth_sealed'])
        .where('district_code', '=', district)
        .where(column, '=', hash)
        .orderBy('buyer_id')
        .limit(DIRECTORY_MAX_RESULTS)
        .execute();
      await trx
        .insertInto('directory_access_log')
        .values({
          at: deps.now(),
          user_id: user.id,
          username: user.username,
          role: user.role,
          district_code: district,
          address: req.ip,
          action: byPhone ? 'search_phone' : 'search_name_birth',
          reason,
          buyer_ids: rows.map((r) => r.buyer_id),
        })
        .execute();
      return {
        buyers: rows.map((r) => ({
          buyerId: r.buyer_id,
          districtCode: r.district_code,
          maskedName: maskName(unseal(keys, r.name_sealed)),
          maskedPhone: maskPhone(unseal(keys, r.phone_sealed)),
          maskedBirth: `${unseal(keys, r.birth_sealed).slice(0, 4)}-**-**`,
        })),
      };
    });
  });

  /** The access log, newest first, a page at a time (`before` = the last id of the previous page). Administrators only. */
  app.get('/api/directory/access-log', async (req) => {
    const user = await deps.authenticate(req);
    if (user.role !== 'admin') throw new HttpError(403, 'errors.forbidden');
    const q = parseInput(logQuery, req.query);
    let query = db.selectFrom('directory_access_log').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    const rows = await query.execute();
    return {
      entries: rows.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at).toISOString(),
        username: r.username,
        role: r.role,
        districtCode: r.district_code,
        address: r.address,
        action: r.action,
        reason: r.reason,
        buyerIds: r.buyer_ids,
      })),
    };
  });
}
