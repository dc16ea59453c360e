import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { AppError, type Issue } from '../../common/errors.js';
import { findDistrict } from '../../common/districts.js';

/**
 * The one password policy: first run, a change, a user created or reset in the
 * console, the server's accounts and its `--admin`. Guessers try the product's
 * own words and the account's name first, so they are zxcvbn's user inputs.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn's "safely unguessable" (about 10^8 guesses and up): 0–2 fall to an offline attack on a stolen hash. */
export const MIN_PASSWORD_SCORE = 3;

/** Words of this product and office that anyone aiming at it would try first. */
export const PRODUCT_WORDS: readonly string[] = [
  '서울', 'seoul', '서울사랑', '서울사랑상품권', '상품권', '지역사랑상품권', '발행', '관리', '콘솔', '관리자', '구청', '시청',
  'issuance', 'console', 'admin', 'administrator', 'official', 'clerk', 'analyst', 'gift', 'certificate', 'voucher', 'city', 'hall',
];

/** Who the password is for: all of it is public to a guesser. */
export interface PasswordOwner {
  username: string;
  displayName?: string | null;
  districtCode?: string | null;
}

/** The zxcvbn warnings we explain in our own words (i18n `passwordPolicy.guessable.*`); others read as `other`. */
const EXPLAINED = new Set([
  'straightRow', 'keyPattern', 'simpleRepeat', 'extendedRepeat', 'sequences', 'recentYears', 'dates',
  'topTen', 'topHundred', 'common', 'similarToCommon', 'wordByItself', 'namesByThemselves', 'commonNames', 'userInputs',
]);

export interface PasswordProblem {
  key: string;
  params: Record<string, string | number>;
}

let factory: ZxcvbnFactory | undefined;
let common: ReadonlySet<string> | undefined;
function zxcvbn(): ZxcvbnFactory {
  // Without translations zxcvbn answers with its warning keys, which we translate ourselves.
  factory ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
  return factory;
}
/** zxcvbn-ts's list of the most common leaked passwords, checked whole as well as scored. */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common']);
  return common;
}

const fold = (s: string) => s.normalize('NFC').trim().toLowerCase();

function ownerWords(owner: PasswordOwner): string[] {
  const district = findDistrict(owner.districtCode);
  const words = [owner.username, owner.displayName ?? '', ...(district ? [district.code, district.ko, district.ko.replace(/구$/, ''), district.en, district.en.replace(/-gu$/i, '')] : [])];
  return words.map(fold).filter((w) => w !== '');
}

function score(password: string, inputs: string[]): { score: number; warning: string | null } {
  const r = zxcvbn().check(password, inputs);
  return { score: r.score, warning: r.feedback.warning };
}

/**
 * Why a new password is refused, or null. The checks run from the plainest
 * reason to the subtlest so the message names the first thing to fix.
 */
export function passwordProblem(password: string, owner: PasswordOwner): PasswordProblem | null {
  const p = password.normalize('NFC');
  const length = [...p].length;
  if (length < MIN_PASSWORD_LENGTH) return { key: 'passwordPolicy.tooShort', params: { min: MIN_PASSWORD_LENGTH, length } };
  if (p.trim() === '' || new Set(p.trim()).size < 4) return { key: 'passwordPolicy.guessable.simpleRepeat', params: {} };
  const folded = fold(p);
  const names = ownerWords(owner);
  const inputs = [...names, ...PRODUCT_WORDS];
  if (fold(owner.username) === folded) return { key: 'passwordPolicy.isUsername', params: {} };
  // A name is public: the password must stand without it.
  const name = names.find((n) => [...n].length >= 3 && folded.includes(n));
  if (name !== undefined) {
    const rest = folded.split(name).join('');
    if ([...rest].length < 8 || score(rest, inputs).score < MIN_PASSWORD_SCORE) return { key: 'passwordPolicy.containsName', params: { name } };
  }
  const words = commonPasswords();
  // Separators added to a listed password ('password-12') do not make it any less guessable.
  if (words.has(folded) || words.has(folded.replace(/[^\p{L}\p{N}]/gu, ''))) return { key: 'passwordPolicy.tooCommon', params: {} };
  const s = score(p, inputs);
  if (s.score < MIN_PASSWORD_SCORE) {
    const why = s.warning && EXPLAINED.has(s.warning) ? s.warning : 'other';
    return { key: `passwordPolicy.guessable.${why}`, params: { score: s.score, min: MIN_PASSWORD_SCORE } };
  }
  return null;
}

/** Whether a stored password (known in plain only at sign-in) still meets the policy. */
export function passwordMeetsPolicy(password: string, owner: PasswordOwner): boolean {
  return passwordProblem(password, owner) === null;
}

/** The same, as a field issue for a form (`path` is the form's password field). */
export function passwordIssues(password: string, owner: PasswordOwner, path = 'password'): Issue[] {
  const problem = passwordProblem(password, owner);
  return problem ? [{ path, code: problem.key, severity: 'error', params: problem.params }] : [];
}

/** Refuses a weak new password before anything is hashed or written. */
export function assertPasswordAllowed(password: string, owner: PasswordOwner, path = 'password'): void {
  const issues = passwordIssues(password, owner, path);
  if (issues.length > 0) throw new AppError('validation_failed', issues[0]!.code, issues[0]!.params, issues);
}
