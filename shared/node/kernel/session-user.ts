import type { Role } from '../../common/roles.js';

/** Who a call runs for, as every capability sees them; sessions themselves are the auth capability's. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  districtCode: string | null;
}
