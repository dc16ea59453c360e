/** A problem with one field (or the whole object when path is ''), identified by a message code. */
export interface Issue {
  path: string;
  code: string;
  severity: 'error' | 'warning';
  params?: Record<string, string | number>;
}

export const ERROR_CODES = [
  'invalid_input',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'validation_failed',
  'rule_violation',
  'rate_limited',
  'unknown_method',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What crosses the API boundary when a call fails. `key` is an i18n message key. */
export interface ErrorPayload {
  code: ErrorCode;
  key: string;
  message: string;
  params?: Record<string, string | number>;
  issues?: Issue[];
}

/** Thrown by backend code; the dispatcher turns it into an ErrorPayload. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly key: string,
    readonly params?: Record<string, string | number>,
    readonly issues?: Issue[],
  ) {
    super(`${code}: ${key}${params ? ' ' + JSON.stringify(params) : ''}`);
    this.name = 'AppError';
  }
}

export function errorIssues(issues: Issue[]): Issue[] {
  return issues.filter((i) => i.severity === 'error');
}
