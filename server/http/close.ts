import type { FastifyInstance } from 'fastify';

/**
 * Stops `app` without waiting out keep-alive connections. Fastify closes the
 * connections idle at the moment close starts; one whose response was still
 * being written then (the client already has every byte) stays open until
 * the keep-alive timeout, 72 s by default, and holds close that long. So the
 * idle ones are closed again while in-flight requests finish, and whatever is
 * still open after `graceMs` is cut.
 */
export async function closeServer(app: FastifyInstance, graceMs = 10_000): Promise<void> {
  const started = Date.now();
  const sweep = setInterval(() => {
    if (Date.now() - started >= graceMs) app.server.closeAllConnections();
    else app.server.closeIdleConnections();
  }, 50);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}
