import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import parseRange from 'range-parser';
import { manifestText, SNAPSHOT_KEY_HEADER, SNAPSHOT_MANIFEST_HEADER, SNAPSHOT_SIGNATURE_HEADER } from '../../shared/sync/snapshot-wire.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { HttpError } from '../http/errors.js';
import { readScope } from '../log/read-scope.js';
import type { SnapshotStore } from '../log/snapshots.js';

export interface SnapshotRouteDeps {
  db: Kysely<ServerDatabase>;
  snapshots: SnapshotStore;
  authenticate(req: FastifyRequest): Promise<ServerUser>;
}

/**
 * GET /api/sync/snapshot: the last snapshot built for the token's read scope
 * (never another's: the scope comes from the account, not the request), as a
 * file with its signed manifest in headers. `Range: bytes=N-` resumes a
 * download; with `If-Range: <etag>` naming another file the whole new file
 * comes instead. 404 `syncSnapshot.notReady` while the first one builds: the
 * console then replays the log as before.
 */
export function registerSnapshotRoutes(app: FastifyInstance, deps: SnapshotRouteDeps): void {
  app.get('/api/sync/snapshot', async (req: FastifyRequest, reply: FastifyReply) => {
    const scope = readScope(await deps.authenticate(req));
    const head = await deps.db.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
    const snap = deps.snapshots.current(scope, Number(head.seq));
    if (!snap) throw new HttpError(404, 'syncSnapshot.notReady');
    const { manifest } = snap;
    const etag = `"${manifest.sha256}"`;
    void reply
      .header('accept-ranges', 'bytes')
      .header('etag', etag)
      .header(SNAPSHOT_MANIFEST_HEADER, Buffer.from(manifestText(manifest)).toString('base64'))
      .header(SNAPSHOT_SIGNATURE_HEADER, deps.snapshots.signature(manifest))
      .header(SNAPSHOT_KEY_HEADER, Buffer.from(deps.snapshots.publicKeyPem).toString('base64'))
      .type('application/vnd.sqlite3');
    const ifRange = req.headers['if-range'];
    const range = req.headers.range && (ifRange === undefined || ifRange === etag) ? parseRange(manifest.bytes, req.headers.range) : undefined;
    if (range === -1) return reply.code(416).header('content-range', `bytes */${manifest.bytes}`).send();
    if (range !== undefined && range !== -2 && range.type === 'bytes' && range.length === 1) {
      const { start, end } = range[0]!;
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${manifest.bytes}`)
        .header('content-length', end - start + 1)
        .send(createReadStream(snap.file, { start, end }));
    }
    return reply.header('content-length', manifest.bytes).send(createReadStream(snap.file));
  });
}
