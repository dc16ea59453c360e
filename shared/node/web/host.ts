import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HTTP_STATUS, type Envelope, type InvokeRequest } from '../../api/envelope.js';
import { translate } from '../../i18n/index.js';
import { AppError } from '../../common/errors.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../common/json-depth.js';
import { MAX_UPLOAD_BYTES, UPLOAD_LIFE_MS, UploadQuota, type UploadStore } from '../uploads/upload-store.js';
import { RECONCILERS } from '../../api/reconcile-schemas.js';
import { MAX_UPLOAD_MB } from '../../api/reconcile-schemas.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';

export const HOST_TOKEN_HEADER = 'x-console-token';
export const SESSION_HEADER = 'x-console-session';

export interface WebHostOptions {
  invoke: (request: InvokeRequest) => Promise<Envelope>;
  /** Built renderer (dist/renderer). */
  staticDir: string;
  port?: number;
  /** Random unless given (tests pass their own). */
  token?: string;
  /** Where POST /api/upload streams files (the backend reads them by upload id); without it the route is absent. */
  uploads?: UploadStore;
  /** Bytes one user may keep waiting in uploads/, and how long an upload waits for its import (tests lower them). */
  uploadQuotaBytes?: number;
  uploadLifeMs?: number;
  /** Largest upload in bytes (tests lower it). */
  maxUploadBytes?: number;
}

export interface WebHost {
  url: string;
  token: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

function sameToken(given: unknown, token: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const g = Buffer.from(given);
  return g.length === token.length && timingSafeEqual(g, token);
}

function refusal(code: 'unauthenticated' | 'invalid_input', detail: string): Envelope {
  const key = code === 'invalid_input' ? 'errors.invalid_input' : 'errors.unauthenticated';
  return { ok: false, error: { code, key, message: `${translate('en', key, { detail })} (${detail})`, params: { detail } } };
}

/**
 * Serves the renderer and the same API the Electron preload exposes, on
 * loopback only. Every API call must carry the random token printed at start,
 * which other local users and web pages cannot know, and a Host header naming
 * loopback, which defeats DNS rebinding.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  let port = options.port ?? 0;

  app.addHook('onSend', async (_req, reply, body) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
    return body;
  });

  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      await reply.code(421).send(refusal('unauthenticated', 'host header is not loopback'));
    }
  });

  // Depth is checked before parsing: a 100k-deep body is refused with its reason instead of failing deeper in.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) return done(new AppError('invalid_input', 'errors.bodyTooDeep', { max: MAX_JSON_DEPTH }), undefined);
    parseJson(req, body as string, done);
  });

  app.post('/api/invoke', async (req, reply) => {
    if (!sameToken(req.headers[HOST_TOKEN_HEADER], tokenBytes)) {
      return reply.code(401).send(refusal('unauthenticated', 'missing or wrong console token'));
    }
    const body = req.body as { method?: unknown; input?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.method !== 'string') {
      return reply.code(400).send(refusal('invalid_input', 'body must be {"method": string, "input": ...}'));
    }
    const session = req.headers[SESSION_HEADER];
    const envelope = await options.invoke({
      method: body.method,
      input: body.input,
      session: typeof session === 'string' && session !== '' ? session : undefined,
    });
    return reply.code(envelope.ok ? 200 : HTTP_STATUS[envelope.error.code]).send(envelope);
  });

  const uploads = options.uploads;
  let sweep: NodeJS.Timeout | undefined;
  if (uploads) {
    const max = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
    const quota = new UploadQuota(uploads, options.uploadQuotaBytes);
    const life = options.uploadLifeMs ?? UPLOAD_LIFE_MS;
    // Uploads no import took within their life are removed: now (a restart), and every minute.
    uploads.removeOlderThan(Date.now() - life);
    sweep = setInterval(() => uploads.removeOlderThan(Date.now() - life), Math.min(60_000, life));
    sweep.unref();
    // The body is left as a stream (no parser buffers it); the route writes it to a private file as it arrives.
    app.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null));
    /**
     * A settlement file as raw bytes, not base64 inside JSON: streamed to a 0600
     * file in the data folder, refused past the cap (nothing kept), answered with
     * the upload id `reconcile.analyse` takes. The import itself needs a
     * reconciler's session; the token keeps everyone else out of the disk.
     */
    app.post('/api/upload', async (req, reply) => {
      if (!sameToken(req.headers[HOST_TOKEN_HEADER], tokenBytes)) {
        return reply.code(401).send(refusal('unauthenticated', 'missing or wrong console token'));
      }
      const tooLarge = (): Envelope => {
        const params = { max: Math.round(max / (1024 * 1024)) || MAX_UPLOAD_MB };
        return { ok: false, error: { code: 'invalid_input', key: 'reconcile.tooLarge', params, message: translate('ko', 'reconcile.tooLarge', params) } };
      };
      // Only a signed-in reconciler may put files on this disk: the host token alone is not enough.
      const session = req.headers[SESSION_HEADER];
      const me = typeof session === 'string' && session !== '' ? await options.invoke({ method: 'auth.me', input: {}, session }) : null;
      if (!me?.ok) {
        reply.header('connection', 'close');
        return reply.code(401).send(refusal('unauthenticated', 'sign in to upload'));
      }
      const user = me.result as { id: string; role: string };
      if (!(RECONCILERS as readonly string[]).includes(user.role)) {
        reply.header('connection', 'close');
        return reply.code(403).send({ ok: false, error: { code: 'forbidden', key: 'errors.forbidden', params: {}, message: translate('ko', 'errors.forbidden') } } satisfies Envelope);
      }
      const room = quota.quota - quota.used(user.id);
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > room || room <= 0) {
        reply.header('connection', 'close');
        const params = { quota: Math.ceil(quota.quota / (1024 * 1024)), hours: Math.max(1, Math.round(life / 3_600_000)) };
        return reply.code(413).send({ ok: false, error: { code: 'invalid_input', key: 'uploads.quotaFull', params, message: translate('ko', 'uploads.quotaFull', params) } } satisfies Envelope);
      }
      if (declared > max) {
        // Refused before a byte is written; the connection closes so the rest is not read.
        reply.header('connection', 'close');
        return reply.code(413).send(tooLarge());
      }
      try {
        const result = await uploads.receive(req.raw, Math.min(max, room));
        quota.record(result.uploadId, user.id);
        return reply.code(200).send({ ok: true, result } satisfies Envelope);
      } catch (e) {
        if (e instanceof AppError) {
          reply.header('connection', 'close');
          const params = e.params ?? {};
          if (e.key === 'reconcile.tooLarge') return reply.code(413).send(tooLarge());
          return reply.code(HTTP_STATUS[e.code]).send({ ok: false, error: { code: e.code, key: e.key, params, message: translate('ko', e.key, params) } } satisfies Envelope);
        }
        throw e;
      }
    });
  }

  app.setErrorHandler(async (error: { statusCode?: number; message: string }, _req, reply) => {
    if (error instanceof AppError) {
      const params = error.params ?? {};
      return reply.code(HTTP_STATUS[error.code]).send({ ok: false, error: { code: error.code, key: error.key, params, message: translate('ko', error.key, params) } } satisfies Envelope);
    }
    // Malformed JSON and oversized bodies arrive here from Fastify's parser.
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send(refusal('invalid_input', error.message));
  });

  await app.register(fastifyStatic, { root: options.staticDir, prefix: '/', index: ['index.html'] });

  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('web host did not bind a TCP port');
  port = address.port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    app,
    close: () => {
      if (sweep) clearInterval(sweep);
      return app.close();
    },
  };
}
