import { Agent, request } from 'node:http';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { closeServer } from './close.js';

/** Needs no database: the server project is where Fastify is tested. */
it('stops at once when a keep-alive response was still being written as close began', async () => {
  const app = Fastify();
  const body = new PassThrough();
  app.get('/file', (_req, reply) => reply.header('content-length', 8).send(body));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const agent = new Agent({ keepAlive: true });
  const got = new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/file', agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        if (text === 'half') {
          // Close begins while the response is in flight, so its connection is not idle then.
          closing = closeServer(app);
          setTimeout(() => body.end('done'), 200);
        }
      });
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
  let closing: Promise<void> | undefined;
  body.write('half');
  expect(await got).toBe('halfdone');
  const started = Date.now();
  await closing;
  // Fastify's own close would wait out its 72 s keep-alive timeout here.
  expect(Date.now() - started).toBeLessThan(5_000);
  agent.destroy();
}, 30_000);
