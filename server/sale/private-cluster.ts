import { Redis } from 'ioredis';
import { freePort } from '../net/free-port.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

/** Redis Cluster's hash slots. */
const SLOTS = 16_384;

export interface PrivateCluster {
  /** A node's URL: SaleGate.connect(url, buckets, { cluster: true }) finds the others from it. */
  url: string;
  primaries: PrivateRedis[];
  /** The primary holding each slot range, as [first, last, node index]. */
  ranges: [number, number, number][];
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `size` primaries (no replicas) on loopback, from Debian's
 * redis-server, each a private redis-server (AOF on, as private-redis.ts says)
 * with cluster mode on: the slots are split evenly in order (CLUSTER
 * ADDSLOTSRANGE), the nodes introduced (CLUSTER MEET), and the call returns
 * once every node says the cluster is ok. For tests and benches of the
 * cluster layout (server/sale/keys.ts).
 */
export async function startPrivateCluster(size = 3): Promise<PrivateCluster> {
  const primaries: PrivateRedis[] = [];
  const ranges: [number, number, number][] = [];
  const clients: Redis[] = [];
  const buses: number[] = [];
  try {
    for (let i = 0; i < size; i++) {
      // The cluster bus gets its own free port (not port + 10000, which may be taken or beyond 65535).
      const bus = await freePort();
      buses.push(bus);
      primaries.push(await startPrivateRedis({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(bus)] }));
    }
    for (const p of primaries) clients.push(new Redis(p.url));
    for (let i = 0; i < size; i++) {
      const first = Math.floor((SLOTS * i) / size);
      const last = Math.floor((SLOTS * (i + 1)) / size) - 1;
      await clients[i]!.call('CLUSTER', 'ADDSLOTSRANGE', first, last);
      ranges.push([first, last, i]);
    }
    for (let i = 1; i < size; i++) await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', primaries[i]!.port, buses[i]!);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
      const nodes = await Promise.all(clients.map((c) => c.call('CLUSTER', 'NODES') as Promise<string>));
      if (infos.every((s) => s.includes('cluster_state:ok')) && nodes.every((n) => n.trim().split('\n').length === size)) break;
      if (Date.now() > deadline) throw new Error(`Redis Cluster of ${size} did not form: ${infos.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    for (const c of clients) c.disconnect();
    for (const p of primaries) await p.stop();
    throw e;
  }
  for (const c of clients) c.disconnect();
  return {
    url: primaries[0]!.url,
    primaries,
    ranges,
    stop: async () => {
      for (const p of primaries) await p.stop();
    },
  };
}
