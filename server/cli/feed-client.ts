import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promptLine, promptSecret } from './prompt.js';

/**
 * A JSON POST with no client-side timeout: a large feed runs for minutes,
 * longer than fetch's default header timeout.
 */
function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (out += c));
        res.on('end', () => {
          let parsed: unknown = out;
          try {
            parsed = JSON.parse(out);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const messageOf = (r: { status: number; body: any }) => (typeof r.body === 'object' && r.body?.error?.message ? r.body.error.message : `HTTP ${r.status}`);

export interface FeedRequest {
  url: string;
  roundId: string;
  purchases: number;
}

/**
 * `--feed ROUND:N` against a running server: signs in as an administrator
 * (ISSUANCE_SERVER_USER / ISSUANCE_SERVER_PASSWORD, or asked on the terminal),
 * asks the server to play the sale, and signs out. The server writes its own
 * folder; nothing else ever opens it.
 */
export async function feedRunningServer(f: FeedRequest, env: NodeJS.ProcessEnv = process.env): Promise<{ purchases: number; uses: number; head: { seq: number } }> {
  const base = f.url.replace(/\/+$/, '');
  const username = env.ISSUANCE_SERVER_USER || (await promptLine(`Administrator on ${base}: `));
  const password = env.ISSUANCE_SERVER_PASSWORD || (await promptSecret(`Password for ${username}: `));
  let signIn;
  try {
    signIn = await post(`${base}/api/auth/sign-in`, { username, password });
  } catch (e) {
    throw new Error(`cannot reach the server at ${base} (${e instanceof Error ? e.message : String(e)}); start it, or pass --url`);
  }
  if (signIn.status !== 200) throw new Error(`sign-in to ${base} refused: ${messageOf(signIn)}`);
  const token = signIn.body.token as string;
  try {
    const r = await post(`${base}/api/feed/sale`, { roundId: f.roundId, purchases: f.purchases }, token);
    if (r.status !== 200) throw new Error(`feed refused: ${messageOf(r)}`);
    return r.body;
  } finally {
    await post(`${base}/api/auth/sign-out`, {}, token).catch(() => {});
  }
}

/** `ROUND:N` with N a positive whole number. */
export function parseFeedArg(value: string): { roundId: string; purchases: number } {
  const at = value.lastIndexOf(':');
  const roundId = value.slice(0, at);
  const purchases = Number(value.slice(at + 1));
  if (at < 1 || !Number.isInteger(purchases) || purchases < 1 || purchases > 5_000_000) throw new Error('--feed needs ROUND:N, a round id and a number of purchases from 1 to 5,000,000');
  return { roundId, purchases };
}
