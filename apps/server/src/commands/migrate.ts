/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
 * [AUTH2 username password] [KEYS key ...] (redis-server's migrateCommand): the keys are sent to
 * another server as RESTORE commands and, without COPY, deleted here once it accepted them.
 *
 * As in redis-server the command is synchronous: the server waits for the target (up to the
 * timeout for each step) and nothing else runs meanwhile, so the keys cannot change between
 * being dumped and deleted. The socket work happens on a worker thread while the event loop
 * waits on a shared word (Atomics.wait); the worker keeps a connection per target for 10 seconds
 * of idleness, as redis-server's migrate socket cache, and a cached connection that fails before
 * any reply is replaced by a new one once.
 */
import { Worker } from 'node:worker_threads';
import type { Client, ClientConnection } from '../client.js';
import { ReplyError } from '../errors.js';
import type { Server } from '../server.js';
import { RespWriter } from '@byor/protocol';
import { is, intArg } from './args.js';
import { dumpPayload } from './persistence.js';
import type { HandlerTable } from './types.js';

/**
 * The worker: one request at a time. It keeps the cached connections and, per connection, the
 * database last selected there (-1 when unknown), so SELECT is sent only when it changes, as
 * redis-server's migrateCachedSocket.last_dbid. Replies are single lines (+OK, -ERR ...).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
const TTL = 10000;
const MAX_CACHED = 64;
const cache = new Map();
function drop(key) {
  const entry = cache.get(key);
  if (entry) { cache.delete(key); clearTimeout(entry.timer); entry.socket.destroy(); }
}
function finish(shared, status, text) {
  const state = new Int32Array(shared, 0, 2);
  const out = new Uint8Array(shared, 8);
  const bytes = Buffer.from(text, 'latin1').subarray(0, out.length);
  out.set(bytes);
  state[1] = bytes.length;
  Atomics.store(state, 0, status);
  Atomics.notify(state, 0);
}
function connect(request, done) {
  const key = request.host + ':' + request.port;
  const cached = cache.get(key);
  // one the target closed while it was idle is replaced at once
  if (cached && (cached.socket.destroyed || cached.socket.readyState !== 'open')) drop(key);
  else if (cached) { clearTimeout(cached.timer); done(cached, true, ''); return; }
  let socket;
  try {
    socket = net.connect({ host: request.host, port: request.port });
  } catch {
    done(undefined, false, 'writing');
    return;
  }
  socket.setNoDelay(true);
  const timer = setTimeout(() => { socket.destroy(); done(undefined, false, 'connecting'); }, request.timeout);
  socket.once('connect', () => {
    clearTimeout(timer);
    if (cache.size >= MAX_CACHED) drop(cache.keys().next().value);
    const entry = { socket, timer: undefined, db: -1 };
    cache.set(key, entry);
    socket.on('close', () => { if (cache.get(key) === entry) drop(key); });
    socket.on('error', () => {});
    done(entry, false, '');
  });
  // an unknown host fails the connect; refused, redis-server finds out when it writes
  socket.once('error', (error) => {
    clearTimeout(timer);
    const unknown = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN';
    done(undefined, false, unknown ? 'connecting' : 'writing');
  });
}
function run(request, retry) {
  const key = request.host + ':' + request.port;
  connect(request, (entry, cached, failure) => {
    if (!entry) {
      if (retry && failure === 'writing') run(request, false);
      else finish(request.shared, 2, failure);
      return;
    }
    const socket = entry.socket;
    const select = entry.db !== request.db;
    const parts = [];
    if (request.auth) parts.push(Buffer.from(request.auth));
    if (select) parts.push(Buffer.from(request.select));
    parts.push(Buffer.from(request.restores));
    const replies = parts.length - 1 + request.count;
    let input = '';
    const lines = [];
    let settled = false;
    let timer;
    const settle = (status, text) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.removeListener('error', onClose);
      if (status === 1) {
        entry.db = lines.some((line) => line[0] === '-') ? -1 : request.db;
        entry.timer = setTimeout(() => drop(key), TTL);
      } else drop(key);
      if (status !== 1 && retry && cached && lines.length === 0 && text !== 'timeout') run(request, false);
      else finish(request.shared, status, status === 1 ? (request.auth ? 'a' : '-') + (select ? 's' : '-') + '\\n' + lines.join('\\n') : 'reading');
    };
    const wait = () => { clearTimeout(timer); timer = setTimeout(() => settle(2, 'timeout'), request.timeout); };
    const onData = (chunk) => {
      input += chunk.toString('latin1');
      let end;
      while ((end = input.indexOf('\\r\\n')) >= 0) {
        lines.push(input.slice(0, end));
        input = input.slice(end + 2);
        wait();
      }
      if (lines.length >= replies) settle(1, '');
    };
    const onClose = () => settle(2, 'closed');
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
    wait();
    socket.write(Buffer.concat(parts));
  });
}
parentPort.on('message', (request) => run(request, true));
`;

/** status words the worker stores: 0 waiting, 1 replies, 2 no replies (why in the text) */
const REPLIES = 1;
/** the longest error line kept from the target */
const RESULT_BYTES = 64 * 1024;

/** What MIGRATE sends: AUTH (if any), SELECT (when the connection is in another database), RESTOREs. */
interface MigrateRequest {
  host: string;
  port: number;
  timeout: number;
  auth: string[] | undefined;
  db: number;
  restores: string[][];
}

/** The target's reply lines to AUTH (when sent), SELECT (when sent) and each RESTORE. */
interface MigrateReplies {
  auth: string | undefined;
  select: string | undefined;
  restores: string[];
}

/** The worker of a server, started on its first MIGRATE and stopped with the server. */
class MigrateLink {
  readonly #worker: Worker;

  constructor(server: Server) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.unref();
    // a worker that failed is replaced by the next MIGRATE (the one waiting gets IOERR)
    this.#worker.on('error', (error) => {
      server.logger.warning(`MIGRATE worker failed: ${error.message}`);
      if (links.get(server) === this) links.delete(server);
    });
    server.hooks.shutdown.push(() => void this.#worker.terminate());
  }

  /** Sends the request and waits (blocking the event loop) for the replies, or why there are none. */
  exchange(request: MigrateRequest): MigrateReplies | 'connecting' | 'writing' | 'reading' {
    const shared = new SharedArrayBuffer(8 + RESULT_BYTES);
    const state = new Int32Array(shared, 0, 2);
    const encode = (commands: string[][]): Uint8Array => {
      const out = new RespWriter(1024);
      for (const argv of commands) out.bulkArray(argv);
      return out.view().slice();
    };
    this.#worker.postMessage({
      shared,
      host: request.host,
      port: request.port,
      timeout: request.timeout,
      auth: request.auth === undefined ? undefined : encode([request.auth]),
      db: request.db,
      select: encode([['SELECT', String(request.db)]]),
      restores: encode(request.restores),
      count: request.restores.length,
    });
    // the worker bounds every step by the timeout; this bound is for a worker that never answers
    // (a connect, a retry's connect, the writes and each reply)
    Atomics.wait(state, 0, 0, request.timeout * (request.restores.length + 6) + 1000);
    const status = Atomics.load(state, 0);
    const text = Buffer.from(shared, 8, Math.max(0, state[1] ?? 0)).toString('latin1');
    if (status !== REPLIES) return text === 'connecting' || text === 'writing' ? text : 'reading';
    const [flags = '', ...lines] = text.split('\n');
    return {
      auth: flags[0] === 'a' ? lines.shift() : undefined,
      select: flags[1] === 's' ? lines.shift() : undefined,
      restores: lines,
    };
  }
}

const links = new WeakMap<Server, MigrateLink>();

/**
 * The servers listening in this process, by port. A MIGRATE to one of them (on a loopback
 * address) runs its commands there directly: waiting on a socket would also stop the target,
 * whose event loop is ours. The target sees it as redis-server sees a MIGRATE's connection: a
 * client of its own (CLIENT LIST, INFO's connected_clients, CLIENT KILL), checked by its ACLs,
 * keeping its database and closed after 10 seconds unused or when either server closes.
 */
const listening = new Map<number, Server>();
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

/** The connection a MIGRATE from a server of this process has on its target. */
class InProcessLink implements ClientConnection {
  readonly remoteAddress = '127.0.0.1';
  /** no socket, so no port of its own: CLIENT LIST shows addr=127.0.0.1:0 */
  readonly remotePort = 0;
  readonly localAddress = '127.0.0.1';
  readonly localPort: number;
  readonly unix = false;
  readonly queryBufferBytes = 0;
  readonly outputBufferBytes = 0;
  readonly client: Client;
  /** the database last selected (-1: unknown), as redis-server's migrateCachedSocket.last_dbid */
  db = -1;
  closed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly source: Server,
    readonly target: Server,
  ) {
    this.localPort = target.port;
    this.client = target.createClient(this);
    this.client.w = new RespWriter(256);
    this.#timer = setTimeout(() => this.close(), IDLE_MS);
    this.#timer.unref();
  }

  /** Runs one command on the target; returns the first line of its reply. */
  run(argv: string[]): string {
    this.#timer.refresh();
    const w = this.client.w;
    this.target.execute(this.client, argv);
    // the reply leaves: what it acknowledges is written first (the target's AOF)
    for (const hook of this.target.hooks.beforeReply) hook();
    const reply = Buffer.from(w.view()).toString('latin1');
    w.reset();
    return reply.slice(0, reply.indexOf('\r\n') >>> 0);
  }

  // replies are read from the client's writer; nothing else is sent to such a client
  write(): void {}
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.#timer);
    inProcessLinks.delete(this);
    this.target.removeClient(this.client);
  }
  pause(): void {}
  resume(): void {}
  setOutputClass(): void {}
  setIdleExempt(): void {}
}

const IDLE_MS = 10_000;
const inProcessLinks = new Set<InProcessLink>();

/** start.ts: `server` listens on its port until `closed` settles. */
export function listeningInProcess(
  server: Server,
  closed: Promise<unknown>,
  portChanged: ((before: number, after: number) => void)[],
): void {
  let port = server.port;
  listening.set(port, server);
  // CONFIG SET port moves it
  portChanged.push((before, after) => {
    if (listening.get(before) === server) listening.delete(before);
    port = after;
    if (after !== 0) listening.set(after, server);
  });
  void closed.finally(() => {
    if (listening.get(port) === server) listening.delete(port);
    for (const link of [...inProcessLinks]) {
      if (link.source === server || link.target === server) link.close();
    }
  });
}

function exchangeInProcess(
  source: Server,
  target: Server,
  request: MigrateRequest,
): MigrateReplies {
  let link: InProcessLink | undefined;
  for (const open of inProcessLinks) {
    if (open.source === source && open.target === target) link = open;
  }
  if (link === undefined) {
    link = new InProcessLink(source, target);
    inProcessLinks.add(link);
  }
  const auth = request.auth === undefined ? undefined : link.run(request.auth);
  const select = link.db !== request.db ? link.run(['SELECT', String(request.db)]) : undefined;
  const restores = request.restores.map((argv) => link.run(argv));
  const refused = [auth, select, ...restores].some((line) => line?.startsWith('-'));
  link.db = refused ? -1 : request.db;
  return { auth, select, restores };
}

function migrate(client: Client, argv: string[]): void {
  const server = client.server;
  let copy = false;
  let replace = false;
  let username: string | undefined;
  let password: string | undefined;
  let keys = [argv[3] ?? ''];
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = argv[j] ?? '';
    if (is(option, 'COPY')) copy = true;
    else if (is(option, 'REPLACE')) replace = true;
    else if (is(option, 'AUTH') && more >= 1) password = argv[++j];
    else if (is(option, 'AUTH2') && more >= 2) {
      username = argv[++j];
      password = argv[++j];
    } else if (is(option, 'KEYS')) {
      if ((argv[3] ?? '') !== '') {
        server.errorReply(
          client,
          'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string',
        );
        return;
      }
      keys = argv.slice(j + 1);
      break;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  const parsedTimeout = intArg(client, argv[5] ?? '');
  if (parsedTimeout === undefined) return;
  const dbid = intArg(client, argv[4] ?? '');
  if (dbid === undefined) return;
  const timeout = parsedTimeout <= 0 ? 1000 : Math.min(Number(parsedTimeout), 2 ** 31 - 1);
  const db = client.db;
  const found = keys.filter((key) => db.lookupRead(key) !== undefined);
  if (found.length === 0) {
    client.w.simple('NOKEY');
    return;
  }
  // the commands for the target: AUTH, SELECT, then a RESTORE per key not expired meanwhile
  const now = server.now();
  const restores: string[][] = [];
  for (const key of found) {
    const value = db.lookupRead(key, false);
    if (value === undefined) continue;
    const expireAt = db.getExpire(key);
    let ttl = 0;
    if (expireAt !== undefined) {
      ttl = expireAt - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    const restore = ['RESTORE', key, String(ttl), dumpPayload(server, value)];
    if (replace) restore.push('REPLACE');
    restores.push(restore);
  }
  // the port as atoi() reads it, and as a 16-bit one
  const port = parseInt(argv[2] ?? '', 10) || 0;
  const request: MigrateRequest = {
    host: argv[1] ?? '',
    port: port & 0xffff,
    timeout,
    auth:
      password === undefined
        ? undefined
        : username === undefined
          ? ['AUTH', password]
          : ['AUTH', username, password],
    db: Number(dbid),
    restores,
  };
  const local = LOOPBACK.has(request.host.toLowerCase()) ? listening.get(request.port) : undefined;
  let answer: MigrateReplies | 'connecting' | 'writing' | 'reading';
  // a negative port fails the connect
  if (port < 0) answer = 'connecting';
  else if (local !== undefined && local !== server)
    answer = exchangeInProcess(server, local, request);
  else {
    let link = links.get(server);
    if (link === undefined) {
      link = new MigrateLink(server);
      links.set(server, link);
    }
    answer = link.exchange(request);
  }
  if (typeof answer === 'string') {
    server.errorReply(
      client,
      answer === 'connecting'
        ? 'IOERR error or timeout connecting to the client'
        : `IOERR error or timeout ${answer} to target instance`,
    );
    return;
  }
  // a refused AUTH or SELECT is the error named, then the first refused RESTORE
  const earlier = [answer.auth, answer.select].find((line) => line?.startsWith('-'));
  let error: string | undefined;
  const deleted: string[] = [];
  restores.forEach(([, key = ''], i) => {
    const line = answer.restores[i] ?? '';
    if (earlier !== undefined || line.startsWith('-')) {
      error ??= `ERR Target instance replied with error: ${(earlier ?? line).slice(1)}`;
    } else if (!copy && db.delete(key)) {
      server.notify('g', 'del', key, db);
      deleted.push(key);
    }
  });
  // propagated as a DEL of the keys moved, or not at all
  server.propagateAs(db, ...(deleted.length !== 0 ? [['DEL', ...deleted]] : []));
  if (error !== undefined) server.errorReply(client, error);
  else client.w.ok();
}

/** MIGRATE. */
export const migrateCommands: HandlerTable = { migrate };
