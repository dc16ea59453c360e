import { z } from 'zod';
import { DISTRICT_CODES } from '../common/districts.js';
import { ROLES } from '../common/roles.js';

/**
 * Server accounts as a console's administrator manages them: the server is
 * the record of who may act, in which role and district; the console keeps
 * its own user only in step with what the server accepted.
 */

export const newServerAccountSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    password: z.string(),
    role: z.enum(ROLES),
    districtCode: z.enum(DISTRICT_CODES).nullable(),
  })
  .strict();
export type NewServerAccount = z.infer<typeof newServerAccountSchema>;

/** The server's reply to a new account: who it now knows. */
export const serverAccountSchema = z
  .object({ id: z.string(), username: z.string(), displayName: z.string(), role: z.enum(ROLES), districtCode: z.string().nullable() })
  .strict();

/** An administrator's change to an account, sent whole so the server never holds half of it. */
export interface ServerAccountChange {
  displayName?: string;
  role?: (typeof ROLES)[number];
  districtCode?: string | null;
  disabled?: boolean;
  /** A reset: the owner must change it at their next sign-in. */
  password?: string;
}

export const accountChangedSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    districtCode: z.string().nullable(),
    disabled: z.boolean(),
    passwordReset: z.boolean(),
    revoked: z.int().min(0),
  })
  .strict();
