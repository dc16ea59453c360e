import { startPrivateRedis, type PrivateRedis } from '../../server/sale/private-redis.js';

/** A throw-away redis-server for one test file, as tests/support/postgres.ts is for PostgreSQL; `stop()` deletes its folder. */
export function startTestRedis(): Promise<PrivateRedis> {
  return startPrivateRedis();
}
