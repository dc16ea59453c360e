export const ROLES = ['admin', 'official', 'clerk', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may configure and move rounds through their lifecycle. Admin is the first-run superuser. */
export const ROUND_MANAGERS: readonly Role[] = ['admin', 'official'];
export const ALL_ROLES: readonly Role[] = ROLES;
