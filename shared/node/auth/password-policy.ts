import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError, type Issue } from '../../common/errors.js';

/** The minimum the contract's passwordSchema asks for; the username does not count towards it. */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * zxcvbn-ts's list of the ~49,000 most common leaked passwords (lower case).
 * Kept as a package rather than a list of our own so it stays current.
 */
let common: ReadonlySet<string> | undefined;
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common']);
  return common;
}

export type PasswordProblem = 'errors.passwordIsUsername' | 'errors.passwordContainsUsername' | 'errors.passwordTooCommon';

const fold = (s: string) => s.normalize('NFC').trim().toLowerCase();

/**
 * Why a new password is refused, or null. The username is public, so a
 * password is judged by what is left once the username is taken out: that
 * rest must itself be long enough and not a common password.
 */
export function passwordProblem(password: string, username: string): PasswordProblem | null {
  const p = fold(password);
  const u = fold(username);
  if (u !== '' && p === u) return 'errors.passwordIsUsername';
  const rest = u.length >= 3 ? p.split(u).join('') : p;
  if (rest !== p && [...rest].length < MIN_PASSWORD_LENGTH) return 'errors.passwordContainsUsername';
  const words = commonPasswords();
  // Separators added to a listed password ('password-12') do not make it any less guessable.
  if (words.has(p) || words.has(p.replace(/[^\p{L}\p{N}]/gu, '')) || words.has(rest)) return 'errors.passwordTooCommon';
  return null;
}

/** The same, as a field issue for a form (`path` is the form's password field). */
export function passwordIssues(password: string, username: string, path = 'password'): Issue[] {
  const key = passwordProblem(password, username);
  return key ? [{ path, code: key, severity: 'error', params: { min: MIN_PASSWORD_LENGTH } }] : [];
}

/** Refuses a weak new password before anything is hashed or written. */
export function assertPasswordAllowed(password: string, username: string, path = 'password'): void {
  const issues = passwordIssues(password, username, path);
  if (issues.length > 0) throw new AppError('validation_failed', issues[0]!.code, issues[0]!.params, issues);
}
