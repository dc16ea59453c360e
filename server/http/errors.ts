import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { translate } from '../../shared/i18n/index.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../shared/common/json-depth.js';
import { unavailableReason } from '../db/unavailable.js';

/** A refusal with a message key; the error handler turns it into `{ error: { key, message, params } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly key: string,
    readonly params?: Record<string, string | number>,
  ) {
    super(key);
  }
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new HttpError(400, 'errors.invalid_input', { detail });
  }
  return r.data;
}

/** Seconds a client is told to wait while the database is away. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * JSON bodies are checked for depth before they are parsed, so a hand-made
 * deeply nested body gets 400 instead of overflowing the parser's stack.
 */
export function guardJsonDepth(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) return done(new HttpError(400, 'errors.bodyTooDeep', { max: MAX_JSON_DEPTH }), undefined);
    parseJson(req, body as string, done);
  });
}

export function errorBody(key: string, params?: Record<string, string | number>) {
  return { error: { key, message: translate('en', key, params), ...(params ? { params } : {}) } };
}

/** 503 with the reason when the database is away (it comes back by itself); null for other errors. */
export function unavailableAnswer(error: unknown): { reason: string; status: 503; headers: Record<string, string>; body: ReturnType<typeof errorBody> } | null {
  const reason = unavailableReason(error);
  if (!reason) return null;
  return { reason, status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) }, body: errorBody('errors.databaseUnavailable', { reason, seconds: RETRY_AFTER_SECONDS }) };
}
