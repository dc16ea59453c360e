/**
 * `npm run web`: the console in a plain browser. Starts the backend worker on
 * the user's data folder (or --data-dir) and serves the built renderer on a
 * random loopback port with a random token.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BackendClient } from '../backend/client.js';
import { argValue, dataDirOverride, defaultDataDir } from '../paths.js';
import { UploadStore } from '../uploads/upload-store.js';
import { startWebHost } from './host.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dataDir = dataDirOverride(argv) ?? defaultDataDir();
  const portArg = argValue(argv, 'port');
  const port = portArg ? Number(portArg) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${portArg}`);
  // Bundled beside this file: dist/node/web-host.cjs, dist/node/backend-worker.cjs, dist/renderer/.
  const staticDir = join(__dirname, '..', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`renderer not built at ${staticDir}; run npm run build`);
  const client = await BackendClient.start(join(__dirname, 'backend-worker.cjs'), dataDir);
  // The same folder the backend reads uploads from (it cleared leftovers when it started).
  const uploads = new UploadStore(join(dataDir, 'uploads'));
  const host = await startWebHost({ invoke: (r) => client.invoke(r), staticDir, port, token: process.env.ISSUANCE_WEB_TOKEN || undefined, uploads });
  console.log(`Issuance Console data folder: ${dataDir}`);
  console.log(`Issuance Console is running at ${host.url}`);
  console.log('Open that address in a browser on this computer. Press Ctrl+C to stop.');
  const stop = async () => {
    await host.close();
    await client.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(`Issuance Console web host could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
