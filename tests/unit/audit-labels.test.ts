import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../../shared/i18n/en.js';
import { ko } from '../../shared/i18n/ko.js';

const NODE = fileURLToPath(new URL('../../shared/node', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/**
 * Every action the backend writes to the audit log, found in its source (`action: 'refund.setThreshold'`, or an
 * action passed on as an argument: `'reconcile.resolve'`), has a label in both catalogs — the administrator's audit
 * page showed "audit.refund.setThreshold" for one that had none.
 */
describe('audit log actions', () => {
  const written = new Set<string>();
  for (const file of sources(NODE)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/action: '([a-zA-Z]+\.[a-zA-Z]+)'/g)) written.add(m[1]!);
    // An exception's change names its action as an argument: the first quoted action after each call.
    for (const call of text.split(/(?<!function )updateException\(/).slice(1)) {
      const m = /'([a-z]+\.[a-zA-Z]+)'/.exec(call);
      if (m) written.add(m[1]!);
    }
  }

  it('are found (the search itself works)', () => {
    // Written by hand from the handlers: a few the log must hold.
    for (const a of ['setup.createAdmin', 'refund.setThreshold', 'counter.closeDay', 'reconcile.lockDay', 'reconcile.resolve']) expect(written).toContain(a);
  });

  it('each has a Korean and an English label', () => {
    const missing = [...written].filter((a) => !(a in ko.audit) || !(a in en.audit));
    expect(missing).toEqual([]);
  });
});
