import { foldListSchema, foldResultSchema, type FoldAct, type FoldResultWire } from '../../sync/fold-wire.js';
import { z } from 'zod';
import {
  chainPointSchema,
  commandResultSchema,
  roundTotalsSchema,
  refundSettingsSchema,
  serverStatusSchema,
  type ServerStatus,
  serverErrorSchema,
  signInReplySchema,
  syncEventSchema,
  type ChainPoint,
  type Command,
  type CommandResult,
  type RefundSettings,
  type RoundTotals,
} from '../../sync/protocol.js';
import { directoryReplySchema, type DirectoryMatch, type DirectorySearch } from '../../sync/directory.js';
import { anchorAcceptedSchema, anchorPageSchema, type AnchorPage, type AnchorRequest } from '../../sync/audit-anchors.js';
import { accountChangedSchema, serverAccountSchema, type NewServerAccount, type ServerAccountChange } from '../../sync/accounts-wire.js';
import type { PageEntry } from './page-entry.js';
import { AppError } from '../../common/errors.js';
import { SyncError } from './sync-error.js';
import { saleMonitorSchema, type SaleMonitor } from '../../sync/sale-monitor-wire.js';
import { CHECKPOINT_LINE, useCheckpointSchema, type UseCheckpoint } from '../../sync/use-checkpoint.js';

/** `checkpoints`: the `~` lines of use checkpoints in the page besides its `count` events (asked with fold=1). */
const pageHeaderSchema = z.object({ head: chainPointSchema, after: z.int().min(0), count: z.int().min(0), checkpoints: z.int().min(0).optional() }).strict();
const HEX = /^[0-9a-f]{64}$/;
const renewReplySchema = z.object({ expiresAt: z.iso.datetime() }).strict();

/** The server's error body in a reply text, checked against the protocol; not a success when it is something else (a proxy page, say). */
function serverErrorOf(text: string) {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return serverErrorSchema.safeParse(body);
}

/**
 * The console's side of the wire. Every reply is checked against the
 * protocol before it is returned: a reply that is cut short, mistyped or out
 * of order becomes a SyncError naming what is wrong, never a partial result.
 */
export class SyncClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | null,
    private readonly signal?: AbortSignal,
  ) {}

  /** The same server, with another user's token: commands go out in their author's name. */
  as(token: string, signal?: AbortSignal): SyncClient {
    return new SyncClient(this.baseUrl, token, signal ?? this.signal);
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.signal ?? null,
      });
    } catch (e) {
      if (this.signal?.aborted) throw e;
      throw new SyncError('sync.offline', { detail: e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e) });
    }
    if (res.status === 401) throw new SyncError('sync.unauthorized');
    if (res.status === 403) throw new SyncError('sync.forbidden');
    return res;
  }

  /** A reply that is not a success: the server's own error body when it sent one, else the start of whatever came back (a proxy page, say). */
  private failure(res: Response, text: string): never {
    const err = serverErrorOf(text);
    if (!err.success) throw new SyncError('sync.serverError', { status: res.status, detail: text.slice(0, 200) });
    // A command refused before it was judged (the sender's clock is off): the server's own key, so the console can say what to fix.
    if (res.status === 422 && err.data.error.key === 'sync.clockSkew') {
      const p = err.data.error.params ?? {};
      throw new SyncError('sync.clockSkew', { server: String(p.server ?? ''), sent: String(p.sent ?? '') });
    }
    throw new SyncError(res.status === 409 ? 'sync.commandIdReused' : 'sync.serverError', { status: res.status, detail: err.data.error.message });
  }

  private async json<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    const text = await res.text();
    if (!res.ok) this.failure(res, text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new SyncError('sync.malformedReply', { what, detail: 'not JSON (cut short?)' });
    }
    const r = schema.safeParse(value);
    if (!r.success) throw new SyncError('sync.malformedReply', { what, detail: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300) });
    return r.data;
  }

  async signIn(username: string, password: string): Promise<z.infer<typeof signInReplySchema>> {
    let res: Response;
    try {
      res = await this.request('POST', '/api/auth/sign-in', { username, password });
    } catch (e) {
      // At sign-in a 401 means the name or password is wrong, not that a token expired.
      if (e instanceof SyncError && e.key === 'sync.unauthorized') throw new SyncError('sync.badServerCredentials');
      throw e;
    }
    // The server throttles guessing; the user is told how long to wait, as at the console's own sign-in.
    if (res.status === 429) throw new AppError('rate_limited', 'errors.rate_limited', { seconds: Math.max(1, Number(res.headers.get('retry-after')) || 60) });
    return this.json(res, signInReplySchema, 'sign-in');
  }

  /** Extends this token's life on the server (it lasts hours and is renewed while the console is in use). */
  async renew(): Promise<void> {
    await this.json(await this.request('POST', '/api/auth/renew', {}), renewReplySchema, 'renew');
  }

  async head(): Promise<ChainPoint> {
    return this.json(await this.request('GET', '/api/head'), chainPointSchema, 'head');
  }

  async chainAt(seq: number): Promise<ChainPoint> {
    return this.json(await this.request('GET', `/api/chain?seq=${seq}`), chainPointSchema, 'chain');
  }

  async totals(roundId: string, districtCode: string | null = null): Promise<RoundTotals> {
    const q = districtCode === null ? '' : `?district=${encodeURIComponent(districtCode)}`;
    const totals = await this.json(await this.request('GET', `/api/rounds/${encodeURIComponent(roundId)}/totals${q}`), roundTotalsSchema, 'totals');
    if (districtCode !== null && totals.districtCode !== districtCode) throw new SyncError('sync.malformedReply', { what: 'totals', detail: `totals for ${totals.districtCode ?? 'the whole round'}, not district ${districtCode}` });
    return totals;
  }

  /** Whether the server's record is the demo data set; a server from before the route (404) is not. */
  async serverStatus(): Promise<ServerStatus> {
    const res = await this.request('GET', '/api/status');
    if (res.status === 404) {
      await res.text();
      return { demo: null };
    }
    return this.json(res, serverStatusSchema, 'status');
  }

  /** A live sale's monitor (officials, administrators, analysts); null when the server sells no such round (404). */
  async saleMonitor(roundId: string): Promise<SaleMonitor | null> {
    const res = await this.request('GET', `/api/sale/${encodeURIComponent(roundId)}/monitor`);
    if (res.status === 404) {
      await res.text();
      return null;
    }
    const m = await this.json(res, saleMonitorSchema, 'sale monitor');
    if (m.roundId !== roundId) throw new SyncError('sync.malformedReply', { what: 'sale monitor', detail: `monitor of ${m.roundId}, not ${roundId}` });
    return m;
  }

  async refundSettings(): Promise<RefundSettings> {
    return this.json(await this.request('GET', '/api/settings/refunds'), refundSettingsSchema, 'settings');
  }

  async push(command: Command): Promise<CommandResult> {
    const result = await this.json(await this.request('POST', '/api/commands', command), commandResultSchema, 'command');
    if (result.commandId !== command.commandId) throw new SyncError('sync.malformedReply', { what: 'command', detail: 'answer for another command' });
    return result;
  }

  /** States this console's audit head; a refusal (409) names why and what the server already holds. */
  async anchor(request: AnchorRequest): Promise<z.infer<typeof anchorAcceptedSchema>> {
    const res = await this.request('POST', '/api/audit/anchors', request);
    if (res.status === 409) {
      const text = await res.text();
      const err = serverErrorOf(text);
      const key = err.success ? err.data.error.key : undefined;
      if (!err.success || (key !== 'anchor.backwards' && key !== 'anchor.hashDiffers')) this.failure(res, text);
      const params = Object.fromEntries(Object.entries(err.data.error.params ?? {}).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
      throw new SyncError(key, params);
    }
    const accepted = await this.json(res, anchorAcceptedSchema, 'anchor');
    if (accepted.consoleId !== request.consoleId || accepted.seq !== request.seq || accepted.hash !== request.hash) {
      throw new SyncError('sync.malformedReply', { what: 'anchor', detail: 'answer for another head' });
    }
    return accepted;
  }

  /** One page of the anchors the server holds for a console, after `after`. */
  async anchors(consoleId: string, after: number): Promise<AnchorPage> {
    const page = await this.json(await this.request('GET', `/api/audit/anchors?consoleId=${encodeURIComponent(consoleId)}&after=${after}`), anchorPageSchema, 'anchors');
    if (page.anchors.some((a, i) => a.consoleId !== consoleId || a.seq <= (i === 0 ? after : page.anchors[i - 1]!.seq))) {
      throw new SyncError('sync.malformedReply', { what: 'anchors', detail: 'anchors out of order or of another console' });
    }
    return page;
  }

  /**
   * Buyers of the user's district by mobile number or name + birth date, masked. The server decides the
   * district and records the lookup; its refusal of a typed value comes back as that value's own message.
   */
  async findBuyers(search: DirectorySearch): Promise<DirectoryMatch[]> {
    const res = await this.request('POST', '/api/directory/search', search);
    if (res.status === 400) {
      const text = await res.text();
      const err = serverErrorOf(text);
      const key = err.success ? err.data.error.key : undefined;
      if (!err.success || !key?.startsWith('directory.')) this.failure(res, text);
      const params = Object.fromEntries(Object.entries(err.data.error.params ?? {}).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
      throw new AppError('invalid_input', key, params);
    }
    return (await this.json(res, directoryReplySchema, 'directory')).buyers;
  }

  /**
   * A refusal of an account change the console can name: the server's own key (the password policy's reason, a
   * name already taken, a clerk without a district) as the console's error, so the form shows it where it belongs.
   */
  private async accountReply<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    if (res.status === 400 || res.status === 404 || res.status === 409) {
      const text = await res.text();
      const err = serverErrorOf(text);
      const key = (err.success ? err.data.error.key : undefined) ?? '';
      if (!err.success || !/^(passwordPolicy\.|errors\.)/.test(key) || key === 'errors.invalid_input') this.failure(res, text);
      const params = Object.fromEntries(Object.entries(err.data.error.params ?? {}).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
      const field = key.startsWith('passwordPolicy.') || key === 'errors.wrongPassword' ? 'password' : key === 'errors.usernameTaken' ? 'username' : key === 'errors.clerkNeedsDistrict' || key === 'errors.districtOnlyForClerk' ? 'districtCode' : null;
      const code = res.status === 404 ? 'not_found' : res.status === 409 ? (key === 'errors.cannotDemoteSelf' ? 'rule_violation' : 'conflict') : 'validation_failed';
      throw new AppError(code, key, params, field ? [{ path: field, code: key, severity: 'error', params }] : undefined);
    }
    return this.json(res, schema, what);
  }

  /** A new account on the server, by an administrator's token. */
  async createUser(account: NewServerAccount): Promise<z.infer<typeof serverAccountSchema>> {
    const created = await this.accountReply(await this.request('POST', '/api/users', account), serverAccountSchema, 'user');
    if (created.username !== account.username) throw new SyncError('sync.malformedReply', { what: 'user', detail: 'answer for another user' });
    return created;
  }

  /** An administrator's change to an account (name, role, district, disabled, password reset), whole or not at all. */
  async changeAccount(username: string, change: ServerAccountChange): Promise<z.infer<typeof accountChangedSchema>> {
    const changed = await this.accountReply(await this.request('POST', `/api/users/${encodeURIComponent(username)}/account`, change), accountChangedSchema, 'user');
    if (changed.username !== username) throw new SyncError('sync.malformedReply', { what: 'user', detail: 'answer for another user' });
    return changed;
  }

  /** An administrator folds the settled uses older than `olderThanDays` (the server judges by its own clock). */
  async foldUses(olderThanDays: number): Promise<FoldResultWire> {
    return this.json(await this.request('POST', '/api/admin/compact-uses', { olderThanDays }), foldResultSchema, 'fold');
  }

  /** The folds recorded so far, newest first. */
  async useFolds(): Promise<FoldAct[]> {
    return (await this.json(await this.request('GET', '/api/admin/use-folds'), foldListSchema, 'folds')).folds;
  }

  /** The token's own account takes a new password; its other tokens stop working. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.accountReply(await this.request('POST', '/api/auth/change-password', { currentPassword, newPassword }), z.object({ changed: z.literal(true) }).strict(), 'password');
  }

  /** Events after `after`, checked line by line; the applier checks the chain. */
  /**
   * The server's snapshot for this account's scope, as the raw reply (its body is a file to stream to disk);
   * `resume` asks for the rest of a file already partly here. Null when the server has none ready (404).
   */
  async snapshot(resume?: { from: number; etag: string }): Promise<Response | null> {
    const res = await this.request('GET', '/api/sync/snapshot', undefined, resume ? { range: `bytes=${resume.from}-`, 'if-range': resume.etag } : {});
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) this.failure(res, await res.text());
    return res;
  }

  async page(after: number, limit: number): Promise<{ head: ChainPoint; entries: PageEntry[] }> {
    const res = await this.request('GET', `/api/events?after=${after}&limit=${limit}&fold=1`);
    const text = await res.text();
    if (!res.ok) this.failure(res, text);
    return parsePage(text, after);
  }

  /**
   * A page as the bytes the server sent, unparsed, for the applier's own thread
   * (apply-thread.ts) to parse and apply: parsing a 10,000-event page took
   * 80–410 ms in one block on the thread that answers the pages (issue 21).
   */
  async pageBytes(after: number, limit: number): Promise<Uint8Array> {
    const res = await this.request('GET', `/api/events?after=${after}&limit=${limit}&fold=1`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (!res.ok) this.failure(res, new TextDecoder().decode(bytes));
    return bytes;
  }
}

/** The header line of a page held as bytes (pageBytes): where it starts, its head and how many events it holds; the rest is parsed where it is applied. */
export function pageHeaderOf(bytes: Uint8Array, after: number): { head: ChainPoint; count: number } {
  const bad = (detail: string) => new SyncError('sync.malformedReply', { what: 'events', detail });
  const end = bytes.indexOf(10);
  if (end < 0) throw new SyncError('sync.truncated', { detail: 'reply does not end with a newline' });
  let header: z.infer<typeof pageHeaderSchema>;
  try {
    header = pageHeaderSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(0, end))));
  } catch {
    throw bad('first line is not a page header');
  }
  if (header.after !== after) throw bad(`page starts after ${header.after}, not ${after}`);
  return { head: header.head, count: header.count };
}

function parseCheckpoint(text: string, seq: number, bad: (detail: string) => SyncError): UseCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad(`the use checkpoint after event ${seq} is not JSON`);
  }
  const parsed = useCheckpointSchema.safeParse(json);
  if (!parsed.success) throw bad(`the use checkpoint after event ${seq}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ').slice(0, 200)}`);
  return parsed.data;
}

/** Parses an events page strictly; exported for tests of malformed replies. */
export function parsePage(text: string, after: number): { head: ChainPoint; entries: PageEntry[] } {
  const bad = (detail: string) => new SyncError('sync.malformedReply', { what: 'events', detail });
  if (!text.endsWith('\n')) throw new SyncError('sync.truncated', { detail: 'reply does not end with a newline' });
  const lines = text.slice(0, -1).split('\n');
  let header: z.infer<typeof pageHeaderSchema>;
  try {
    header = pageHeaderSchema.parse(JSON.parse(lines[0]!));
  } catch {
    throw bad('first line is not a page header');
  }
  if (header.after !== after) throw bad(`page starts after ${header.after}, not ${after}`);
  const expected = header.count + (header.checkpoints ?? 0);
  if (lines.length - 1 !== expected) throw new SyncError('sync.truncated', { detail: `${lines.length - 1} of ${expected} ${header.checkpoints ? 'lines (events and use checkpoints)' : 'events'}` });
  const entries: PageEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(`${CHECKPOINT_LINE}\t`)) {
      const last = entries[entries.length - 1];
      if (!last) throw bad(`line ${i}: a use checkpoint before any event`);
      (last.checkpoints ??= []).push(parseCheckpoint(line.slice(2), last.seq, bad));
      continue;
    }
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    if (a < 0 || b < 0) throw bad(`line ${i} is not seq, hash and event (or digest)`);
    const seq = Number(line.slice(0, a));
    const hash = line.slice(a + 1, b);
    const eventText = line.slice(b + 1);
    if (!Number.isSafeInteger(seq) || seq <= 0) throw bad(`line ${i}: sequence "${line.slice(0, a).slice(0, 20)}" is not a positive integer`);
    if (!HEX.test(hash)) throw bad(`line ${i}: hash is not a SHA-256 hex digest`);
    if (seq > header.head.seq) throw bad(`event ${seq} is past the head ${header.head.seq}`);
    // Redacted (an event this account may not read): `#` and the SHA-256 of the event's canonical text, nothing else.
    if (eventText.startsWith('#')) {
      const digest = eventText.slice(1);
      if (!HEX.test(digest)) throw bad(`event ${seq}: redacted event is not "#" and a SHA-256 hex digest`);
      entries.push({ seq, hash, digest });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(eventText);
    } catch {
      throw bad(`event ${seq} is not JSON`);
    }
    const parsed = syncEventSchema.safeParse(json);
    if (!parsed.success) throw bad(`event ${seq}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ').slice(0, 200)}`);
    entries.push({ seq, hash, text: eventText, event: parsed.data });
  }
  return { head: header.head, entries };
}
