/**
 * scrypt's cost for the console's password hashes and user keys. OWASP's floor is N=2^17,r=8,p=1; 2^15 keeps
 * sign-in under ~100 ms on the 2-core office PCs. A password hash records its parameters, so one made at another
 * cost still verifies.
 */
export const PRODUCTION_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

let cost: { N: number; r: number; p: number } = PRODUCTION_SCRYPT;

export function scryptCost(): { N: number; r: number; p: number } {
  return cost;
}

/**
 * For the unit tests' backend harness only, in its own test process: four scrypts a user (hash and key on creation,
 * check and key on sign-in), several users before every test of ~50 files, made production's cost most of their
 * set-up time. The hashing's own tests keep production's cost; the console, web host and Electron never call this
 * (kdf-cost.test.ts holds them to it).
 */
export function cheapScryptForTests(): void {
  cost = { N: 2 ** 10, r: 8, p: 1 };
}
