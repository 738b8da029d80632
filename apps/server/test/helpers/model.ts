import { connect, type Socket } from 'node:net';
import {
  ErrorReply,
  ReplyParser,
  RespDouble,
  SimpleString,
  VerbatimString,
  type RespValue,
} from '@byor/protocol';
import { RawClient } from './raw-client.js';

/**
 * The soak test's reference: a plain in-memory model of redis-server 7.0 (Maps, arrays, sorted
 * arrays) for the commands the soak sends, a MONITOR tap that gives the server's serial order,
 * and a checker that replays the MONITOR log into the model and compares every client's every
 * reply, then the final state. Written from redis-server 7.0's sources (t_list.c, t_zset.c,
 * db.c, blocked.c, multi.c), not from byor's.
 */

/** A reply in one shape for every client library: errors as `{ error }`, nils as null. */
export type Reply = null | number | string | { error: string } | Reply[];

/** A reply from ioredis or node-redis (strings, numbers, Buffers, arrays, Error objects). */
export function fromLibrary(value: unknown): Reply {
  if (value === null || value === undefined) return null;
  if (value instanceof Error) return { error: value.message };
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) return value.map(fromLibrary);
  return { error: `unexpected reply ${JSON.stringify(value)}` };
}

/** A reply parsed by @byor/protocol's ReplyParser. */
export function fromResp(value: RespValue | undefined): Reply {
  if (value === null || value === undefined) return null;
  if (value instanceof ErrorReply) return { error: value.message };
  if (value instanceof SimpleString) return value.value;
  if (value instanceof RespDouble) return value.value;
  if (value instanceof VerbatimString) return value.text;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromResp);
  return { error: `unexpected reply of type ${typeof value}` };
}

/** Parses one raw RESP reply (as RawClient returns it). */
export function parseRaw(frame: string): Reply {
  const parser = new ReplyParser({ encoding: 'latin1', copyStrings: true });
  parser.push(Buffer.from(frame, 'latin1'));
  return fromResp(parser.next());
}

// ---------------------------------------------------------------------------------------------
// MONITOR

/** One MONITOR line: `+<time> [<db> <addr>] "arg" ...`. */
export interface MonitorLine {
  /** the server's timestamp, in ms */
  readonly time: number;
  readonly db: number;
  readonly addr: string;
  readonly argv: string[];
}

/** Undoes sdscatrepr: `\\ \" \n \r \t \a \b \xHH`. */
function unrepr(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    if (text[i] !== '"') throw new Error(`bad MONITOR argument at ${i}: ${text}`);
    i++;
    let arg = '';
    while (i < text.length && text[i] !== '"') {
      const ch = text[i] ?? '';
      if (ch !== '\\') {
        arg += ch;
        i++;
        continue;
      }
      const next = text[i + 1] ?? '';
      const simple: Record<string, string> = {
        '\\': '\\',
        '"': '"',
        n: '\n',
        r: '\r',
        t: '\t',
        a: '\x07',
        b: '\b',
      };
      if (next === 'x') {
        arg += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
        i += 4;
      } else {
        arg += simple[next] ?? next;
        i += 2;
      }
    }
    i++;
    out.push(arg);
  }
  return out;
}

/** Parses one MONITOR line, or returns undefined for anything else (+OK). */
export function parseMonitorLine(line: string): MonitorLine | undefined {
  const match = /^\+(\d+\.\d+) \[(\d+) ([^\]]+)\] (.*)$/.exec(line);
  if (!match) return undefined;
  return {
    time: Number(match[1]) * 1000,
    db: Number(match[2]),
    addr: match[3] ?? '',
    argv: unrepr(match[4] ?? ''),
  };
}

/** A connection in MONITOR mode collecting every line. */
export class MonitorTap {
  readonly lines: MonitorLine[] = [];
  readonly #socket: Socket;
  #buffer = '';
  #started = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let end: number;
      while ((end = this.#buffer.indexOf('\r\n')) >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        if (line === '+OK') this.#started = true;
        const parsed = parseMonitorLine(line);
        if (parsed) this.lines.push(parsed);
      }
    });
  }

  /** Connects, sends MONITOR and resolves once the server answered +OK. */
  static async start(port: number): Promise<MonitorTap> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('error', reject);
      s.once('connect', () => resolve(s));
    });
    const tap = new MonitorTap(socket);
    socket.write('MONITOR\r\n');
    await tap.#until(() => tap.#started);
    return tap;
  }

  /** Resolves once a line with these arguments has arrived. */
  async waitFor(argv: readonly string[]): Promise<void> {
    const wanted = JSON.stringify(argv);
    await this.#until(() => this.lines.some((line) => JSON.stringify(line.argv) === wanted));
  }

  async #until(test: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error('MONITOR: timed out');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The model

type StreamId = readonly [ms: number, seq: number];

interface StreamValue {
  entries: { id: StreamId; fields: string[] }[];
  last: StreamId;
  added: number;
  maxDeleted: StreamId;
}

type Value =
  | { type: 'string'; v: string }
  | { type: 'list'; v: string[] }
  | { type: 'hash'; v: Map<string, string> }
  | { type: 'set'; v: Set<string> }
  | { type: 'zset'; v: Map<string, number> }
  | { type: 'stream'; v: StreamValue };

interface Entry {
  value: Value;
  ttl: boolean;
}

interface Blocked {
  readonly client: ClientState;
  readonly index: number;
  readonly kind: 'list' | 'zset';
  readonly command: 'BLPOP' | 'BLMOVE' | 'BZPOPMIN';
  readonly keys: string[];
  readonly db: number;
  readonly dst: string;
  readonly from: string;
  readonly to: string;
  /** when its timeout ends, on the server's MONITOR clock */
  readonly deadline: number;
}

interface PendingLine {
  client: number;
  argv: readonly string[];
  /** the client's db before and after the command; undefined for EXEC (either) */
  db: readonly [number, number] | undefined;
}

interface ClientState {
  readonly index: number;
  db: number;
  /** index of the next sent command to match */
  pos: number;
  /** index of the MULTI being queued, or -1 */
  multiAt: number;
  blocked: Blocked | undefined;
  watched: Set<string>;
  dirty: boolean;
}

export const Errors = {
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  hashNotInteger: 'ERR hash value is not an integer',
  noSuchKey: 'ERR no such key',
  sameObject: 'ERR source and destination objects are the same',
  xaddSmall: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  xaddZero: 'ERR The ID specified in XADD must be greater than 0-0',
} as const;

const WT: Reply = { error: Errors.wrongType };
const isInt = (text: string) => /^(0|-?[1-9][0-9]{0,17})$/.test(text);
const dbKey = (db: number, key: string) => `${db}\0${key}`;
const cmpId = (a: StreamId, b: StreamId) => (a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1]);
const idText = (id: StreamId) => `${id[0]}-${id[1]}`;
function parseId(text: string): StreamId | undefined {
  const match = /^(\d+)-(\d+)$/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Redis's LRANGE/LTRIM/ZRANGE index clamping: [start, end] inclusive, or undefined when empty. */
function clampRange(length: number, start: number, end: number): [number, number] | undefined {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return undefined;
  if (end >= length) end = length - 1;
  return [start, end];
}

function sortedZset(zset: Map<string, number>): [string, number][] {
  return [...zset].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function cloneValue(value: Value): Value {
  switch (value.type) {
    case 'string':
      return { type: 'string', v: value.v };
    case 'list':
      return { type: 'list', v: [...value.v] };
    case 'hash':
      return { type: 'hash', v: new Map(value.v) };
    case 'set':
      return { type: 'set', v: new Set(value.v) };
    case 'zset':
      return { type: 'zset', v: new Map(value.v) };
    case 'stream':
      return {
        type: 'stream',
        v: {
          entries: value.v.entries.map((e) => ({ id: e.id, fields: [...e.fields] })),
          last: value.v.last,
          added: value.v.added,
          maxDeleted: value.v.maxDeleted,
        },
      };
  }
}

/** A key's value in the form both the model and a server read-back produce. */
export type PlainState = Record<string, { type: string; ttl: boolean; value: unknown }>;

function plainValue(value: Value): unknown {
  switch (value.type) {
    case 'string':
      return value.v;
    case 'list':
      return value.v;
    case 'hash':
      return [...value.v].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    case 'set':
      return [...value.v].sort();
    case 'zset':
      return sortedZset(value.v).map(([m, s]) => [m, String(s)]);
    case 'stream':
      return {
        entries: value.v.entries.map((e) => [idText(e.id), e.fields]),
        last: idText(value.v.last),
        added: value.v.added,
        maxDeleted: idText(value.v.maxDeleted),
      };
  }
}

/**
 * Replays a MONITOR log into the model. `sent[c]` are the commands client `c` sent, in order;
 * `actual[c]` its replies. `expected[c]` is filled with the model's replies; `issues` collects
 * every disagreement about order or content.
 */
export class SoakChecker {
  readonly dbs: Map<string, Entry>[] = [new Map(), new Map()];
  readonly expected: (Reply | undefined)[][];
  readonly issues: string[] = [];
  /** how the server orders EXEC and the commands it runs in MONITOR */
  execOrder: 'exec-last' | 'exec-first' | 'none' = 'none';
  /** which db MONITOR shows on a SELECT line: the one before or after it */
  selectDb: 'before' | 'after' | 'none' = 'none';
  /** blocked clients the model served from another client's command */
  woken = 0;
  readonly #sent: readonly (readonly string[])[][];
  readonly #actual: readonly Reply[][];
  readonly #clients: ClientState[];
  readonly #blocked = new Map<string, Blocked[]>();
  #ready: { db: number; key: string }[] = [];
  readonly #readySet = new Set<string>();
  /** lines the current atomic transaction still has to show, all from one client */
  #pending: PendingLine[] = [];
  #line = 0;
  /** the timestamp of the MONITOR line being replayed */
  #now = 0;

  /** waiters the server let time out before their deadline on the MONITOR clock: ms early */
  readonly early: number[] = [];
  readonly #slackMs: number;

  /**
   * `slackMs`: how much earlier than MONITOR's timestamp plus its timeout a waiter may time out
   * (MONITOR's timestamp and the timeout's start are read at slightly different moments).
   */
  constructor(sent: readonly (readonly string[])[][], actual: readonly Reply[][], slackMs = 5) {
    this.#slackMs = slackMs;
    this.#sent = sent;
    this.#actual = actual;
    this.expected = sent.map((commands) => commands.map(() => undefined));
    this.#clients = sent.map((_, index) => ({
      index,
      db: 0,
      pos: 0,
      multiAt: -1,
      blocked: undefined,
      watched: new Set(),
      dirty: false,
    }));
  }

  #issue(text: string): void {
    if (this.issues.length < 50) this.issues.push(`line ${this.#line}: ${text}`);
  }

  /** Feeds one MONITOR line from client `index`. Returns false when the log can no longer be followed. */
  line(index: number, line: MonitorLine): boolean {
    this.#line++;
    this.#now = line.time;
    const c = this.#clients[index];
    if (!c) return true;
    const sent = this.#sent[index] ?? [];
    if (this.#pending.length) {
      const next = this.#pending.shift();
      if (next?.client !== index || JSON.stringify(next.argv) !== JSON.stringify(line.argv)) {
        this.#issue(
          `transaction of client ${next?.client} expected ${JSON.stringify(next?.argv)}, MONITOR shows client ${index} ${JSON.stringify(line.argv)}`,
        );
        return false;
      }
      if (next.db !== undefined) this.#checkDb(index, line, next.db[0], next.db[1]);
      return true;
    }
    if (c.blocked) this.#timedOut(c.blocked);
    if (c.multiAt >= 0) return this.#transaction(c, line);
    const argv = sent[c.pos];
    if (!argv || JSON.stringify(argv) !== JSON.stringify(line.argv)) {
      this.#issue(
        `client ${index} sent ${JSON.stringify(argv)} next, MONITOR shows ${JSON.stringify(line.argv)}`,
      );
      return false;
    }
    const at = c.pos++;
    const dbBefore = c.db;
    const name = (argv[0] ?? '').toUpperCase();
    if (name === 'MULTI') {
      this.expected[index]![at] = 'OK';
      c.multiAt = at;
      while ((sent[c.pos]?.[0] ?? '').toUpperCase().match(/^(EXEC|DISCARD)$/) === null) {
        if (c.pos >= sent.length) break;
        this.expected[index]![c.pos++] = 'QUEUED';
      }
      return true;
    }
    this.expected[index]![at] = this.#execute(c, at, argv, false, this.#actual[index]?.[at]);
    this.#checkDb(index, line, dbBefore, c.db);
    this.#handleReady();
    return true;
  }

  /**
   * A MONITOR line's db is the client's db; SELECT's own line shows the db before it (fed
   * before the command runs) or after it (redis-server 7.0 feeds after): either is accepted and
   * recorded in {@link selectDb}.
   */
  #checkDb(index: number, line: MonitorLine, before: number, after: number): void {
    if (line.db === before && line.db === after) return;
    if (before !== after && (line.db === before || line.db === after)) {
      if (this.selectDb === 'none') this.selectDb = line.db === after ? 'after' : 'before';
      return;
    }
    this.#issue(`client ${index} ${line.argv.join(' ')}: MONITOR db ${line.db}, model ${before}`);
  }

  #transaction(c: ClientState, line: MonitorLine): boolean {
    const sent = this.#sent[c.index] ?? [];
    const queued = sent.slice(c.multiAt + 1, c.pos);
    const end = c.pos;
    const endName = (sent[end]?.[0] ?? '').toUpperCase();
    const lineName = (line.argv[0] ?? '').toUpperCase();
    const multiAt = c.multiAt;
    c.multiAt = -1;
    c.pos = end + 1;
    if (endName === 'DISCARD') {
      if (lineName !== 'DISCARD') this.#issue(`client ${c.index}: expected DISCARD`);
      this.expected[c.index]![end] = 'OK';
      c.watched.clear();
      c.dirty = false;
      return lineName === 'DISCARD';
    }
    const aborted = c.dirty;
    c.watched.clear();
    c.dirty = false;
    if (aborted) {
      this.expected[c.index]![end] = null;
      if (lineName !== 'EXEC') {
        this.#issue(
          `client ${c.index}: the model aborts EXEC (a WATCHed key changed), MONITOR shows ${line.argv.join(' ')} run`,
        );
        return false;
      }
      return true;
    }
    const lines: PendingLine[] = [];
    const replies: Reply[] = [];
    const actualExec = this.#actual[c.index]?.[end];
    for (const [offset, argv] of queued.entries()) {
      const before = c.db;
      const actual = Array.isArray(actualExec) ? actualExec[offset] : undefined;
      replies.push(this.#execute(c, multiAt + 1 + offset, argv, true, actual));
      lines.push({ client: c.index, argv, db: [before, c.db] });
    }
    this.expected[c.index]![end] = replies;
    const first = lines[0];
    if (lineName === 'EXEC') {
      if (this.execOrder === 'none') this.execOrder = 'exec-first';
      this.#pending = lines;
    } else if (first && JSON.stringify(first.argv) === JSON.stringify(line.argv)) {
      if (this.execOrder === 'none') this.execOrder = 'exec-last';
      if (first.db) this.#checkDb(c.index, line, first.db[0], first.db[1]);
      this.#pending = [
        ...lines.slice(1),
        { client: c.index, argv: sent[end] ?? [], db: undefined },
      ];
    } else {
      this.#issue(`client ${c.index}: EXEC expected, MONITOR shows ${line.argv.join(' ')}`);
      return false;
    }
    this.#handleReady();
    return true;
  }

  /** End of the log: clients the model still has blocked must have timed out. */
  finish(): void {
    for (const c of this.#clients) {
      if (c.blocked) this.#timedOut(c.blocked);
      if (c.pos < (this.#sent[c.index]?.length ?? 0))
        this.#issue(`client ${c.index}: MONITOR shows only ${c.pos} of its commands`);
    }
  }

  /** The model's final state, keyed `db:key`. */
  state(): PlainState {
    const out: PlainState = {};
    for (const [db, map] of this.dbs.entries()) {
      for (const key of [...map.keys()].sort()) {
        const entry = map.get(key)!;
        out[`${db}:${key}`] = {
          type: entry.value.type,
          ttl: entry.ttl,
          value: plainValue(entry.value),
        };
      }
    }
    return out;
  }

  // ----- keyspace primitives (db.c) ------------------------------------------------------------

  #get(db: number, key: string): Entry | undefined {
    return this.dbs[db]?.get(key);
  }

  /** dbAdd: a new key; lists and sorted sets wake clients blocked on it. */
  #add(db: number, key: string, value: Value, ttl = false): Entry {
    const entry = { value, ttl };
    this.dbs[db]!.set(key, entry);
    if (value.type === 'list' || value.type === 'zset' || value.type === 'stream')
      this.#signalReady(db, key);
    return entry;
  }

  /** setKey: dbAdd or dbOverwrite (no wake-up), TTL removed, WATCH touched. */
  #setKey(db: number, key: string, value: Value): void {
    const old = this.#get(db, key);
    if (old) {
      old.value = value;
      old.ttl = false;
    } else this.#add(db, key, value);
    this.#touch(db, key);
  }

  #delete(db: number, key: string): boolean {
    return this.dbs[db]!.delete(key);
  }

  /** signalModifiedKey: WATCHers' transactions fail. */
  #touch(db: number, key: string): void {
    const id = dbKey(db, key);
    for (const c of this.#clients) if (c.watched.has(id)) c.dirty = true;
  }

  #signalReady(db: number, key: string): void {
    const id = dbKey(db, key);
    if (!this.#blocked.get(id)?.length || this.#readySet.has(id)) return;
    this.#readySet.add(id);
    this.#ready.push({ db, key });
  }

  // ----- blocking (blocked.c) -----------------------------------------------------------------

  #block(blocked: Blocked): void {
    blocked.client.blocked = blocked;
    for (const key of blocked.keys) {
      const id = dbKey(blocked.db, key);
      const queue = this.#blocked.get(id) ?? [];
      if (!queue.includes(blocked)) queue.push(blocked);
      this.#blocked.set(id, queue);
    }
  }

  #unblock(blocked: Blocked): void {
    blocked.client.blocked = undefined;
    for (const key of blocked.keys) {
      const id = dbKey(blocked.db, key);
      const queue = this.#blocked.get(id)?.filter((b) => b !== blocked) ?? [];
      if (queue.length) this.#blocked.set(id, queue);
      else this.#blocked.delete(id);
    }
  }

  /** The client's reply says it timed out: it left before any chance to be served. */
  #timedOut(blocked: Blocked): void {
    const actual = this.#actual[blocked.client.index]?.[blocked.index];
    this.expected[blocked.client.index]![blocked.index] = null;
    if (actual !== null)
      this.#issue(
        `client ${blocked.client.index} ${blocked.command} ${blocked.keys.join(' ')}: the model has it blocked until it timed out, reply ${JSON.stringify(actual)}`,
      );
    this.#unblock(blocked);
  }

  /** handleClientsBlockedOnKeys: ready keys in signal order, waiters in blocking order. */
  #handleReady(): void {
    while (this.#ready.length) {
      const ready = this.#ready;
      this.#ready = [];
      for (const { db, key } of ready) {
        this.#readySet.delete(dbKey(db, key));
        const entry = this.#get(db, key);
        if (!entry || (entry.value.type !== 'list' && entry.value.type !== 'zset')) continue;
        const kind = entry.value.type;
        for (const blocked of [...(this.#blocked.get(dbKey(db, key)) ?? [])]) {
          if (blocked.kind !== kind || blocked.client.blocked !== blocked) continue;
          if (this.#actual[blocked.client.index]?.[blocked.index] === null) {
            // the reply says this client timed out: it was gone before this element arrived,
            // which cannot be when the server's own clock says its timeout had not yet ended
            if (this.#now < blocked.deadline) this.early.push(blocked.deadline - this.#now);
            if (this.#now + this.#slackMs < blocked.deadline)
              this.#issue(
                `client ${blocked.client.index} ${blocked.command} ${blocked.keys.join(' ')}: first in line ${(blocked.deadline - this.#now).toFixed(1)} ms before its timeout, yet not served`,
              );
            this.#timedOut(blocked);
            continue;
          }
          this.#unblock(blocked);
          this.woken++;
          const reply = this.#serve(blocked, db, key, entry);
          this.expected[blocked.client.index]![blocked.index] = reply;
          if (!this.#get(db, key)) break;
        }
      }
    }
  }

  #serve(blocked: Blocked, db: number, key: string, entry: Entry): Reply {
    if (entry.value.type === 'zset') {
      const [member, score] = sortedZset(entry.value.v)[0]!;
      entry.value.v.delete(member);
      if (entry.value.v.size === 0) this.#delete(db, key);
      this.#touch(db, key);
      return [key, member, String(score)];
    }
    if (entry.value.type !== 'list') return null;
    if (blocked.command === 'BLPOP') {
      const value = entry.value.v.shift()!;
      if (entry.value.v.length === 0) this.#delete(db, key);
      this.#touch(db, key);
      return [key, value];
    }
    const dst = this.#get(db, blocked.dst);
    if (dst && dst.value.type !== 'list') return WT;
    return this.#move(db, key, entry, blocked.dst, dst, blocked.from, blocked.to);
  }

  /** LMOVE's pop and push (lmoveHandlePush), the source deleted when it empties. */
  #move(
    db: number,
    key: string,
    entry: Entry,
    dstKey: string,
    dst: Entry | undefined,
    from: string,
    to: string,
  ): Reply {
    const list = entry.value.v as string[];
    const value = (from === 'LEFT' ? list.shift() : list.pop())!;
    const target = dst ?? this.#add(db, dstKey, { type: 'list', v: [] });
    const targetList = target.value.v as string[];
    if (to === 'LEFT') targetList.unshift(value);
    else targetList.push(value);
    this.#touch(db, dstKey);
    if (list.length === 0) this.#delete(db, key);
    this.#touch(db, key);
    return value;
  }

  // ----- commands -----------------------------------------------------------------------------

  /**
   * Runs one command in the model. `actual` is the server's reply to it (XADD * takes its ID
   * from there: the server's clock picks it).
   */
  #execute(
    c: ClientState,
    index: number,
    argv: readonly string[],
    inMulti: boolean,
    actual: Reply | undefined,
  ): Reply {
    const name = (argv[0] ?? '').toUpperCase();
    const a = (i: number) => argv[i] ?? '';
    const db = c.db;
    const key = a(1);
    const e = this.#get(db, key);
    const type = e?.value.type;
    switch (name) {
      case 'SELECT':
        c.db = Number(a(1));
        return 'OK';
      case 'WATCH':
        for (const k of argv.slice(1)) c.watched.add(dbKey(db, k));
        return 'OK';
      case 'UNWATCH':
        c.watched.clear();
        c.dirty = false;
        return 'OK';
      case 'PING':
        return 'PONG';
      // strings
      case 'GET':
        if (!e) return null;
        return e.value.type === 'string' ? e.value.v : WT;
      case 'SET': {
        const options = argv.slice(3).map((o) => o.toUpperCase());
        const get = options.includes('GET');
        if (get && e && e.value.type !== 'string') return WT;
        if (options.includes('NX') && e) return get ? (e.value.v as string) : null;
        if (options.includes('XX') && !e) return null;
        const old = e?.value.type === 'string' ? e.value.v : null;
        const ttl = options.includes('EX') ? true : options.includes('KEEPTTL') && !!e?.ttl;
        const value: Value = { type: 'string', v: a(2) };
        if (e) {
          e.value = value;
          e.ttl = ttl;
        } else this.#add(db, key, value, ttl);
        this.#touch(db, key);
        return get ? old : 'OK';
      }
      case 'INCR': {
        if (!e) {
          this.#add(db, key, { type: 'string', v: '1' });
          this.#touch(db, key);
          return 1;
        }
        if (e.value.type !== 'string') return WT;
        if (!isInt(e.value.v)) return { error: Errors.notInteger };
        const next = Number(e.value.v) + 1;
        e.value.v = String(next);
        this.#touch(db, key);
        return next;
      }
      case 'APPEND': {
        if (!e) {
          this.#add(db, key, { type: 'string', v: a(2) });
          this.#touch(db, key);
          return a(2).length;
        }
        if (e.value.type !== 'string') return WT;
        e.value.v += a(2);
        this.#touch(db, key);
        return e.value.v.length;
      }
      case 'GETDEL': {
        if (!e) return null;
        if (e.value.type !== 'string') return WT;
        this.#delete(db, key);
        this.#touch(db, key);
        return e.value.v;
      }
      case 'SETRANGE': {
        const offset = Number(a(2));
        const value = a(3);
        if (e && e.value.type !== 'string') return WT;
        if (!e) {
          if (value === '') return 0;
          this.#add(db, key, { type: 'string', v: '\0'.repeat(offset) + value });
          this.#touch(db, key);
          return offset + value.length;
        }
        const s = e.value.v as string;
        if (value === '') return s.length;
        const padded = s.length < offset ? s + '\0'.repeat(offset - s.length) : s;
        e.value.v = padded.slice(0, offset) + value + padded.slice(offset + value.length);
        this.#touch(db, key);
        return e.value.v.length;
      }
      case 'EXPIRE': {
        const flag = a(3).toUpperCase();
        if (!e || (flag === 'NX' && e.ttl) || (flag === 'XX' && !e.ttl)) return 0;
        e.ttl = true;
        this.#touch(db, key);
        return 1;
      }
      case 'PERSIST':
        if (!e?.ttl) return 0;
        e.ttl = false;
        this.#touch(db, key);
        return 1;
      // keys
      case 'DEL': {
        let count = 0;
        for (const k of argv.slice(1)) {
          if (this.#delete(db, k)) {
            count++;
            this.#touch(db, k);
          }
        }
        return count;
      }
      case 'FLUSHDB': {
        // touchAllWatchedKeysInDb: WATCHers of keys that existed fail; waiters stay blocked
        for (const k of this.dbs[db]!.keys()) this.#touch(db, k);
        this.dbs[db]!.clear();
        return 'OK';
      }
      case 'EXISTS':
        return argv.slice(1).filter((k) => this.#get(db, k)).length;
      case 'TYPE':
        return type ?? 'none';
      case 'RENAME': {
        if (!e) return { error: Errors.noSuchKey };
        const dst = a(2);
        if (dst === key) return 'OK';
        this.#delete(db, dst);
        this.#add(db, dst, e.value, e.ttl);
        this.#delete(db, key);
        this.#touch(db, key);
        this.#touch(db, dst);
        return 'OK';
      }
      case 'COPY': {
        const dst = a(2);
        const options = argv.slice(3).map((o) => o.toUpperCase());
        const dbAt = options.indexOf('DB');
        const target = dbAt >= 0 ? Number(argv[3 + dbAt + 1]) : db;
        if (target === db && dst === key) return { error: Errors.sameObject };
        if (!e) return 0;
        const existing = this.#get(target, dst);
        if (existing && !options.includes('REPLACE')) return 0;
        if (existing) this.#delete(target, dst);
        this.#add(target, dst, cloneValue(e.value), e.ttl);
        this.#touch(target, dst);
        return 1;
      }
      case 'MOVE': {
        const target = Number(a(2));
        if (target === db) return { error: Errors.sameObject };
        if (!e || this.#get(target, key)) return 0;
        this.#add(target, key, e.value, e.ttl);
        this.#delete(db, key);
        this.#touch(db, key);
        this.#touch(target, key);
        return 1;
      }
      // lists
      case 'LPUSH':
      case 'RPUSH': {
        if (e && e.value.type !== 'list') return WT;
        const entry = e ?? this.#add(db, key, { type: 'list', v: [] });
        const list = entry.value.v as string[];
        for (const v of argv.slice(2)) {
          if (name === 'LPUSH') list.unshift(v);
          else list.push(v);
        }
        this.#touch(db, key);
        return list.length;
      }
      case 'RPOP': {
        const withCount = argv.length > 2;
        if (!e) return null;
        if (e.value.type !== 'list') return WT;
        const list = e.value.v;
        const popped = list.splice(Math.max(0, list.length - (withCount ? Number(a(2)) : 1)));
        popped.reverse();
        if (list.length === 0) this.#delete(db, key);
        this.#touch(db, key);
        return withCount ? popped : (popped[0] ?? null);
      }
      case 'LMOVE': {
        if (!e) return null;
        if (e.value.type !== 'list') return WT;
        const dst = this.#get(db, a(2));
        if (dst && dst.value.type !== 'list') return WT;
        return this.#move(db, key, e, a(2), dst, a(3).toUpperCase(), a(4).toUpperCase());
      }
      case 'LTRIM': {
        if (!e) return 'OK';
        if (e.value.type !== 'list') return WT;
        const range = clampRange(e.value.v.length, Number(a(2)), Number(a(3)));
        e.value.v = range ? e.value.v.slice(range[0], range[1] + 1) : [];
        if (e.value.v.length === 0) this.#delete(db, key);
        this.#touch(db, key);
        return 'OK';
      }
      case 'LREM': {
        if (!e) return 0;
        if (e.value.type !== 'list') return WT;
        const count = Number(a(2));
        const list = e.value.v;
        let removed = 0;
        const limit = count === 0 ? Infinity : Math.abs(count);
        if (count >= 0) {
          for (let i = 0; i < list.length && removed < limit;) {
            if (list[i] === a(3)) {
              list.splice(i, 1);
              removed++;
            } else i++;
          }
        } else {
          for (let i = list.length - 1; i >= 0 && removed < limit; i--) {
            if (list[i] === a(3)) {
              list.splice(i, 1);
              removed++;
            }
          }
        }
        if (removed) {
          if (list.length === 0) this.#delete(db, key);
          this.#touch(db, key);
        }
        return removed;
      }
      case 'LRANGE': {
        if (!e) return [];
        if (e.value.type !== 'list') return WT;
        const range = clampRange(e.value.v.length, Number(a(2)), Number(a(3)));
        return range ? e.value.v.slice(range[0], range[1] + 1) : [];
      }
      case 'LLEN':
        if (!e) return 0;
        return e.value.type === 'list' ? e.value.v.length : WT;
      // hashes
      case 'HSET': {
        if (e && e.value.type !== 'hash') return WT;
        const entry = e ?? this.#add(db, key, { type: 'hash', v: new Map() });
        const hash = entry.value.v as Map<string, string>;
        let added = 0;
        for (let i = 2; i + 1 < argv.length; i += 2) {
          if (!hash.has(a(i))) added++;
          hash.set(a(i), a(i + 1));
        }
        this.#touch(db, key);
        return added;
      }
      case 'HDEL': {
        if (!e) return 0;
        if (e.value.type !== 'hash') return WT;
        let deleted = 0;
        for (const f of argv.slice(2)) if (e.value.v.delete(f)) deleted++;
        if (deleted) {
          if (e.value.v.size === 0) this.#delete(db, key);
          this.#touch(db, key);
        }
        return deleted;
      }
      case 'HINCRBY': {
        if (e && e.value.type !== 'hash') return WT;
        const entry = e ?? this.#add(db, key, { type: 'hash', v: new Map() });
        const hash = entry.value.v as Map<string, string>;
        const current = hash.get(a(2));
        if (current !== undefined && !isInt(current)) return { error: Errors.hashNotInteger };
        const next = Number(current ?? 0) + Number(a(3));
        hash.set(a(2), String(next));
        this.#touch(db, key);
        return next;
      }
      case 'HGET':
        if (!e) return null;
        return e.value.type === 'hash' ? (e.value.v.get(a(2)) ?? null) : WT;
      case 'HLEN':
        if (!e) return 0;
        return e.value.type === 'hash' ? e.value.v.size : WT;
      // sets
      case 'SADD': {
        if (e && e.value.type !== 'set') return WT;
        const entry = e ?? this.#add(db, key, { type: 'set', v: new Set() });
        const set = entry.value.v as Set<string>;
        let added = 0;
        for (const m of argv.slice(2)) {
          if (!set.has(m)) {
            set.add(m);
            added++;
          }
        }
        if (added) this.#touch(db, key);
        return added;
      }
      case 'SREM': {
        if (!e) return 0;
        if (e.value.type !== 'set') return WT;
        let removed = 0;
        for (const m of argv.slice(2)) if (e.value.v.delete(m)) removed++;
        if (removed) {
          if (e.value.v.size === 0) this.#delete(db, key);
          this.#touch(db, key);
        }
        return removed;
      }
      case 'SMOVE': {
        if (!e) return 0;
        const dst = this.#get(db, a(2));
        if (e.value.type !== 'set' || (dst && dst.value.type !== 'set')) return WT;
        const member = a(3);
        if (a(2) === key) return e.value.v.has(member) ? 1 : 0;
        if (!e.value.v.delete(member)) return 0;
        if (e.value.v.size === 0) this.#delete(db, key);
        const target = dst ?? this.#add(db, a(2), { type: 'set', v: new Set() });
        const targetSet = target.value.v as Set<string>;
        this.#touch(db, key);
        // t_set.c: the destination counts as modified only when the member was new there
        if (!targetSet.has(member)) {
          targetSet.add(member);
          this.#touch(db, a(2));
        }
        return 1;
      }
      case 'SINTERSTORE': {
        const sets: Set<string>[] = [];
        let empty = false;
        for (const k of argv.slice(2)) {
          const s = this.#get(db, k);
          if (!s) empty = true;
          else if (s.value.type !== 'set') return WT;
          else sets.push(s.value.v);
        }
        const result = empty
          ? new Set<string>()
          : new Set([...sets[0]!].filter((m) => sets.every((s) => s.has(m))));
        if (result.size) {
          this.#setKey(db, key, { type: 'set', v: result });
          return result.size;
        }
        if (this.#delete(db, key)) this.#touch(db, key);
        return 0;
      }
      case 'SISMEMBER':
        if (!e) return 0;
        return e.value.type === 'set' ? (e.value.v.has(a(2)) ? 1 : 0) : WT;
      case 'SCARD':
        if (!e) return 0;
        return e.value.type === 'set' ? e.value.v.size : WT;
      // sorted sets
      case 'ZADD': {
        if (e && e.value.type !== 'zset') return WT;
        const entry = e ?? this.#add(db, key, { type: 'zset', v: new Map() });
        const zset = entry.value.v as Map<string, number>;
        let added = 0;
        let updated = 0;
        for (let i = 2; i + 1 < argv.length; i += 2) {
          const score = Number(a(i));
          const old = zset.get(a(i + 1));
          if (old === undefined) added++;
          else if (old !== score) updated++;
          zset.set(a(i + 1), score);
        }
        if (added || updated) this.#touch(db, key);
        return added;
      }
      case 'ZINCRBY': {
        if (e && e.value.type !== 'zset') return WT;
        const entry = e ?? this.#add(db, key, { type: 'zset', v: new Map() });
        const zset = entry.value.v as Map<string, number>;
        const old = zset.get(a(3));
        const next = (old ?? 0) + Number(a(2));
        zset.set(a(3), next);
        if (old !== next) this.#touch(db, key);
        return String(next);
      }
      case 'ZREM': {
        if (!e) return 0;
        if (e.value.type !== 'zset') return WT;
        let removed = 0;
        for (const m of argv.slice(2)) if (e.value.v.delete(m)) removed++;
        if (removed) {
          if (e.value.v.size === 0) this.#delete(db, key);
          this.#touch(db, key);
        }
        return removed;
      }
      case 'ZPOPMIN': {
        if (!e) return [];
        if (e.value.type !== 'zset') return WT;
        const count = argv.length > 2 ? Number(a(2)) : 1;
        const popped = sortedZset(e.value.v).slice(0, count);
        for (const [m] of popped) e.value.v.delete(m);
        if (e.value.v.size === 0) this.#delete(db, key);
        if (popped.length) this.#touch(db, key);
        return popped.flatMap(([m, s]) => [m, String(s)]);
      }
      case 'ZRANGESTORE': {
        const src = this.#get(db, a(2));
        if (src && src.value.type !== 'zset') return WT;
        const all = src ? sortedZset(src.value.v as Map<string, number>) : [];
        const range = clampRange(all.length, Number(a(3)), Number(a(4)));
        const slice = range ? all.slice(range[0], range[1] + 1) : [];
        if (slice.length) {
          this.#setKey(db, key, { type: 'zset', v: new Map(slice) });
          return slice.length;
        }
        if (this.#delete(db, key)) this.#touch(db, key);
        return 0;
      }
      case 'ZSCORE': {
        if (!e) return null;
        if (e.value.type !== 'zset') return WT;
        const score = e.value.v.get(a(2));
        return score === undefined ? null : String(score);
      }
      case 'ZCARD':
        if (!e) return 0;
        return e.value.type === 'zset' ? e.value.v.size : WT;
      // streams
      case 'XADD': {
        const spec = a(2);
        if (spec === '0-0') return { error: Errors.xaddZero };
        if (e && e.value.type !== 'stream') return WT;
        const stream = (e?.value.v ?? {
          entries: [],
          last: [0, 0],
          added: 0,
          maxDeleted: [0, 0],
        }) as StreamValue;
        let id: StreamId | undefined;
        if (spec === '*') {
          // the server's clock picks the ID: take it from the reply, if it is a valid next ID
          const parsed = typeof actual === 'string' ? parseId(actual) : undefined;
          if (!parsed || cmpId(parsed, stream.last) <= 0)
            return `<an ID after ${idText(stream.last)}>`;
          id = parsed;
        } else if (spec.endsWith('-*')) {
          const ms = Number(spec.slice(0, -2));
          if (ms < stream.last[0]) return { error: Errors.xaddSmall };
          id = ms === stream.last[0] ? [ms, stream.last[1] + 1] : [ms, 0];
        } else {
          id = parseId(spec)!;
          if (cmpId(id, stream.last) <= 0) return { error: Errors.xaddSmall };
        }
        if (!e) this.#add(db, key, { type: 'stream', v: stream });
        stream.entries.push({ id, fields: argv.slice(3) });
        stream.last = id;
        stream.added++;
        this.#touch(db, key);
        return idText(id);
      }
      case 'XDEL': {
        if (!e) return 0;
        if (e.value.type !== 'stream') return WT;
        const stream = e.value.v;
        let deleted = 0;
        for (const text of argv.slice(2)) {
          const id = parseId(text)!;
          const at = stream.entries.findIndex((entry) => cmpId(entry.id, id) === 0);
          if (at < 0) continue;
          stream.entries.splice(at, 1);
          deleted++;
          if (cmpId(id, stream.maxDeleted) > 0) stream.maxDeleted = id;
        }
        if (deleted) this.#touch(db, key);
        return deleted;
      }
      case 'XTRIM': {
        if (!e) return 0;
        if (e.value.type !== 'stream') return WT;
        const stream = e.value.v;
        const before = stream.entries.length;
        if (a(2).toUpperCase() === 'MAXLEN') {
          const keep = Number(a(3));
          if (before > keep) stream.entries.splice(0, before - keep);
        } else {
          const min = parseId(a(3))!;
          stream.entries = stream.entries.filter((entry) => cmpId(entry.id, min) >= 0);
        }
        const removed = before - stream.entries.length;
        if (removed) this.#touch(db, key);
        return removed;
      }
      case 'XLEN':
        if (!e) return 0;
        return e.value.type === 'stream' ? e.value.v.entries.length : WT;
      // blocking
      case 'BLPOP':
      case 'BZPOPMIN': {
        const keys = argv.slice(1, -1);
        const want = name === 'BLPOP' ? 'list' : 'zset';
        for (const k of keys) {
          const entry = this.#get(db, k);
          if (!entry) continue;
          if (entry.value.type !== want) return WT;
          if (entry.value.type === 'list' && entry.value.v.length) {
            const value = entry.value.v.shift()!;
            if (entry.value.v.length === 0) this.#delete(db, k);
            this.#touch(db, k);
            return [k, value];
          }
          if (entry.value.type === 'zset' && entry.value.v.size) {
            const [member, score] = sortedZset(entry.value.v)[0]!;
            entry.value.v.delete(member);
            if (entry.value.v.size === 0) this.#delete(db, k);
            this.#touch(db, k);
            return [k, member, String(score)];
          }
        }
        if (inMulti) return null;
        this.#block({
          client: c,
          index,
          kind: want,
          command: name,
          keys,
          db,
          dst: '',
          from: 'LEFT',
          to: 'LEFT',
          deadline: this.#now + Number(argv[argv.length - 1]) * 1000,
        });
        return null;
      }
      case 'BLMOVE': {
        if (e && e.value.type !== 'list') return WT;
        if (e) {
          const dst = this.#get(db, a(2));
          if (dst && dst.value.type !== 'list') return WT;
          return this.#move(db, key, e, a(2), dst, a(3).toUpperCase(), a(4).toUpperCase());
        }
        if (inMulti) return null;
        this.#block({
          client: c,
          index,
          kind: 'list',
          command: 'BLMOVE',
          keys: [key],
          db,
          dst: a(2),
          from: a(3).toUpperCase(),
          to: a(4).toUpperCase(),
          deadline: this.#now + Number(a(5)) * 1000,
        });
        return null;
      }
      default:
        return { error: `the model does not know ${name}` };
    }
  }
}

/**
 * Reads every key of databases 0 and 1 over a plain connection (KEYS, TYPE, PTTL and each type's
 * read commands; XINFO STREAM for a stream's counters), in the shape of {@link SoakChecker.state}.
 */
export async function readState(port: number): Promise<PlainState> {
  const client = await RawClient.connect(port);
  const call = async (...argv: string[]) => parseRaw(await client.call(...argv));
  const out: PlainState = {};
  try {
    for (const db of [0, 1]) {
      await call('SELECT', String(db));
      const keys = ((await call('KEYS', '*')) as string[]).sort();
      for (const key of keys) {
        const type = (await call('TYPE', key)) as string;
        const ttl = (await call('PTTL', key)) as number;
        let value: unknown;
        switch (type) {
          case 'string':
            value = await call('GET', key);
            break;
          case 'list':
            value = await call('LRANGE', key, '0', '-1');
            break;
          case 'hash': {
            const flat = (await call('HGETALL', key)) as string[];
            const pairs: [string, string][] = [];
            for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
            value = pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
            break;
          }
          case 'set':
            value = ((await call('SMEMBERS', key)) as string[]).sort();
            break;
          case 'zset': {
            const flat = (await call('ZRANGE', key, '0', '-1', 'WITHSCORES')) as string[];
            const pairs: [string, string][] = [];
            for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
            value = pairs;
            break;
          }
          case 'stream': {
            const entries = (await call('XRANGE', key, '-', '+')) as [string, string[]][];
            const info = (await call('XINFO', 'STREAM', key)) as Reply[];
            const field = (name: string) => info[info.indexOf(name) + 1];
            value = {
              entries,
              last: field('last-generated-id'),
              added: field('entries-added'),
              maxDeleted: field('max-deleted-entry-id'),
            };
            break;
          }
          default:
            value = type;
        }
        out[`${db}:${key}`] = { type, ttl: ttl >= 0, value };
      }
    }
  } finally {
    client.close();
  }
  return out;
}
