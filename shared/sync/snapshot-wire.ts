import { z } from 'zod';
import type { ReadScope } from '../common/read-scope.js';

/**
 * What the server says of a snapshot it serves: whose view it is, the log
 * position it stands at (sequence and chain hash there), and the file's
 * SHA-256 and size. The server signs the canonical text of this (Ed25519) and
 * sends both in headers; the console checks the file against it before it
 * keeps anything.
 */
export const snapshotManifestSchema = z
  .object({
    scope: z.string().regex(/^(all|none|district:\d{5})$/),
    seq: z.int().min(1),
    headHash: z.string().regex(/^[0-9a-f]{64}$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.int().min(1),
    /** The last console migration the file was built with: a console at another schema replays instead. */
    schema: z.string().min(1).max(100),
  })
  .strict();
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/** The manifest in one fixed key order: the exact bytes the signature covers. */
export function manifestText(m: SnapshotManifest): string {
  return JSON.stringify({ scope: m.scope, seq: m.seq, headHash: m.headHash, sha256: m.sha256, bytes: m.bytes, schema: m.schema });
}

/** One name per read scope: the snapshot a user gets is the one built for exactly what the log would show them. */
export function scopeKey(scope: ReadScope): string {
  return scope.kind === 'district' ? `district:${scope.districtCode}` : scope.kind;
}

/** Response headers of GET /api/sync/snapshot. */
export const SNAPSHOT_MANIFEST_HEADER = 'x-snapshot-manifest';
export const SNAPSHOT_SIGNATURE_HEADER = 'x-snapshot-signature';
export const SNAPSHOT_KEY_HEADER = 'x-snapshot-key';
