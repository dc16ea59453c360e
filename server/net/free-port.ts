import { createServer } from 'node:net';

/** A port on loopback that nothing listens on now: for a private server this process starts (Redis, PostgreSQL in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
