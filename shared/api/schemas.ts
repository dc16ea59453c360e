import { z } from 'zod';
import { ROLES } from '../common/roles.js';
import { DISTRICT_CODES } from '../common/districts.js';
import { roundSpecSchema, ROUND_KINDS } from '../rounds/spec.js';
import { ROUND_ACTIONS, ROUND_STATUSES } from '../rounds/lifecycle.js';

export const empty = z.object({}).strict();

export const idSchema = z.string().min(1).max(64);
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{3,32}$/, { message: 'username: 3–32 characters, letters, digits, . _ -' });
// The length and strength rules are the policy's (shared/node/auth/password-policy.ts), which says why in Korean.
export const passwordSchema = z.string().min(1).max(200);
export const displayNameSchema = z.string().trim().min(1).max(60);
export const roleSchema = z.enum(ROLES);
export const districtCodeSchema = z.enum(DISTRICT_CODES);

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  districtCode: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  /** Signed in with a password that fails the policy: the console shows only the change-password step. */
  mustChangePassword: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

export const issueSchema = z.object({
  path: z.string(),
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export const validationSchema = z.object({ errors: z.array(issueSchema), warnings: z.array(issueSchema) });

export const roundRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(ROUND_STATUSES),
  kind: z.enum(ROUND_KINDS),
  districtCode: z.string().nullable(),
  opensAt: z.string(),
  closesAt: z.string(),
  totalAmount: z.number(),
  discountBp: z.number(),
  perPersonMonthlyLimit: z.number(),
  holdingLimit: z.number(),
  sold: z.number(),
  remaining: z.number(),
  currentVersion: z.number(),
  approvedVersion: z.number().nullable(),
  updatedAt: z.string(),
});
export type RoundRow = z.infer<typeof roundRowSchema>;

export const auditEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const roundVersionSchema = z.object({
  version: z.number(),
  spec: roundSpecSchema,
  authorId: z.string(),
  authorName: z.string(),
  createdAt: z.string(),
  approvedBy: z.string().nullable(),
  approvedByName: z.string().nullable(),
  approvedAt: z.string().nullable(),
  changed: z.array(z.string()),
  /**
   * A version synced from the server (authored locally by the `server` user): the names come from its
   * publication event, authorName is '' when that event did not say, and createdAt is the publication time.
   */
  fromServer: z.boolean().optional(),
});
export type RoundVersion = z.infer<typeof roundVersionSchema>;

export const roundDetailSchema = z.object({
  id: z.string(),
  status: z.enum(ROUND_STATUSES),
  currentVersion: z.number(),
  approvedVersion: z.number().nullable(),
  createdAt: z.string(),
  spec: roundSpecSchema,
  validation: validationSchema,
  sold: z.number(),
  versions: z.array(roundVersionSchema),
  allowedActions: z.array(z.enum(ROUND_ACTIONS)),
  canEdit: z.boolean(),
  audit: z.array(auditEntrySchema),
  /** The round's lifecycle as the server recorded it (scheduled, on sale, closed, settled), oldest first. */
  serverSteps: z.array(z.object({ status: z.string(), version: z.number(), by: z.string(), at: z.string() })).optional(),
});
export type RoundDetail = z.infer<typeof roundDetailSchema>;

/** The local recomputation of the audit hash chain. */
export const chainCheckSchema = z.object({
  ok: z.boolean(),
  checked: z.number(),
  headHash: z.string().nullable(),
  firstBadSeq: z.number().nullable(),
  reason: z.string().nullable(),
});
export type ChainCheck = z.infer<typeof chainCheckSchema>;
