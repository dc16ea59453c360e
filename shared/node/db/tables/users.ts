import type { Generated } from 'kysely';
import type { Role } from '../../../common/roles.js';
import type { Instant } from './instant.js';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  /** `scrypt$N$r$p$salt$hash`, see auth/password.ts. */
  password_hash: string;
  role: Role;
  district_code: string | null;
  disabled: number;
  created_at: Instant;
  created_by: string | null;
  /** 1 when the password failed the policy at the last sign-in (migration 0015): nothing else until it is changed. */
  must_change_password: Generated<number>;
  /** The scrypt salt of the key the user's server tokens are sealed under (0021), made at their first sign-in. */
  token_salt: string | null;
}
