import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Electron names the user-data folder after productName in package.json. */
export const APP_FOLDER = 'Issuance Console';

/**
 * The folder Electron's `app.getPath('userData')` gives on each platform, so
 * the desktop app and `npm run web` open the same ledger by default.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_FOLDER);
}

/** `--data-dir PATH`, `--data-dir=PATH`, then ISSUANCE_DATA_DIR. */
export function dataDirOverride(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  return argValue(argv, 'data-dir') ?? (env.ISSUANCE_DATA_DIR || undefined);
}

export function argValue(argv: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === flag) return argv[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/**
 * The ledger holds buyers' ids and a server token, so its folder is the
 * user's alone (0700) and its files too (0600): made so, and tightened on
 * start when an older version or a copy left them readable by others.
 * Windows has no POSIX modes; there the per-user profile folder's ACL does this.
 */
export function makePrivateDir(dir: string): void {
  refuseSharedFolder(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
}

/**
 * A folder with the sticky bit (/tmp, /var/tmp) is shared by every user of the machine: tightening it to 0700 would
 * lock them all out of it (PostgreSQL's initdb among them), so it is refused as a data folder instead of taken.
 */
function refuseSharedFolder(dir: string): void {
  if (process.platform === 'win32' || !existsSync(dir)) return;
  if ((statSync(dir).mode & 0o1000) !== 0) {
    throw new Error(`데이터 폴더로 여러 사용자가 함께 쓰는 임시 폴더는 쓸 수 없습니다: ${dir} — 그 안에 폴더를 하나 만들어 지정하세요. (A shared temporary folder cannot be a data folder: ${dir}; name a folder inside it.)`);
  }
}

/** 0600 for a file that exists; nothing for one that does not. */
export function makePrivateFile(file: string): void {
  if (existsSync(file)) tighten(file, 0o600);
}

function tighten(path: string, mode: number): void {
  if (process.platform === 'win32') return;
  if ((statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
}
