import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A file the sale service ships beside its code (the Lua library, the buyer
 * page): next to the bundle in dist/server (scripts/build-server.mjs copies
 * it there), or in the source tree when run from the repository.
 */
export function saleAsset(name: string): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [join(here, name), join(here, 'redis', name), join(process.cwd(), 'server', 'sale', 'redis', name), join(process.cwd(), 'server', 'sale', name)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`sale asset ${name} not found (looked in ${candidates.join(', ')})`);
  return readFileSync(found, 'utf8');
}
