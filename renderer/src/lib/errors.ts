import type { Issue } from '#shared/common/errors.js';
import { ApiError } from './api/client.js';

/** Splits a failed call into per-field issues and one message for the rest. */
export function describeFailure(e: unknown, text: (err: ApiError['payload']) => string): { message: string; issues: Issue[] } {
  if (e instanceof ApiError) return { message: text(e.payload), issues: e.payload.issues ?? [] };
  return { message: e instanceof Error ? e.message : String(e), issues: [] };
}

export function issuesFor(issues: Issue[], path: string): Issue[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}
