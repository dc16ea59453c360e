import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ROOT_USER = 'root';
export const ROOT_PASSWORD = 'root-password-1';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `npm run server` with these arguments and environment; resolves with the child and its output so far once it exits. */
export function runServerCommand(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output: out })));
}

/**
 * The central server as `npm run server` runs it, in its own process, on the
 * PostgreSQL database at `db` or on a PGlite folder (`{ dataDir }`), on a free
 * loopback port, with `root` / `root-password-1` as its first administrator
 * (the password passed in the environment, never on the command line).
 */
export async function startServerProcess(db: string | { dataDir: string }, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const where = typeof db === 'string' ? { DATABASE_URL: db } : { DATABASE_URL: '' };
  const dirArgs = typeof db === 'string' ? [] : ['--data-dir', db.dataDir];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--admin', ROOT_USER, ...dirArgs], {
    cwd: ROOT,
    env: { ...process.env, ...where, ISSUANCE_ADMIN_PASSWORD: ROOT_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /Listening at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
