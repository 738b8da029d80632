import {
  BinaryErrorCodes,
  ErrorReply,
  ReplyParser,
  RespWriter,
  SimpleString,
  type BinaryWriter,
  type RespValue,
} from '@byor/protocol';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { parseDouble, parseInt64 } from './util/numbers.js';

/**
 * The book's binary protocol (build-your-own.org/redis, chapters 4-13), served on `byor-port`:
 * its ten commands over the same keyspace RESP clients see. Each runs as the matching Redis
 * command on an internal client; the reply is re-encoded as the book's tagged values:
 *
 *   set k v -> NIL            get k -> STR | NIL          del k -> INT 1/0        keys -> ARR of STR
 *   zadd z score member -> INT 1 added / 0 updated      zrem z member -> INT 1/0
 *   zscore z member -> DBL | NIL                        pexpire k ms -> INT 1/0
 *   zquery z score member offset limit -> ARR of member, score (DBL) pairs
 *   pttl k -> INT -2 no key, -1 no TTL, else ms left
 *
 * Errors use the book's codes: 1 unknown command, 3 wrong type, 4 bad argument.
 */
interface BookCommand {
  readonly arity: number;
  /** arguments that must be numbers: index -> 'float' | 'int' */
  readonly numbers: Readonly<Record<number, 'float' | 'int'>>;
  readonly zset: boolean;
  readonly reply: 'nil' | 'str' | 'int' | 'keys' | 'dbl' | 'pairs';
  readonly redis: (argv: readonly string[]) => string[];
}

const COMMANDS: Readonly<Record<string, BookCommand>> = {
  set: {
    arity: 3,
    numbers: {},
    zset: false,
    reply: 'nil',
    redis: ([, k = '', v = '']) => ['SET', k, v],
  },
  get: { arity: 2, numbers: {}, zset: false, reply: 'str', redis: ([, k = '']) => ['GET', k] },
  del: { arity: 2, numbers: {}, zset: false, reply: 'int', redis: ([, k = '']) => ['DEL', k] },
  keys: { arity: 1, numbers: {}, zset: false, reply: 'keys', redis: () => ['KEYS', '*'] },
  zadd: {
    arity: 4,
    numbers: { 2: 'float' },
    zset: true,
    reply: 'int',
    redis: ([, z = '', score = '', member = '']) => ['ZADD', z, score, member],
  },
  zrem: {
    arity: 3,
    numbers: {},
    zset: true,
    reply: 'int',
    redis: ([, z = '', member = '']) => ['ZREM', z, member],
  },
  zscore: {
    arity: 3,
    numbers: {},
    zset: true,
    reply: 'dbl',
    redis: ([, z = '', member = '']) => ['ZSCORE', z, member],
  },
  zquery: {
    arity: 6,
    numbers: { 2: 'float', 4: 'int', 5: 'int' },
    zset: true,
    reply: 'pairs',
    redis: ([, z = '', score = '', member = '', offset = '', limit = '']) => [
      'ZQUERY',
      z,
      score,
      member,
      offset,
      limit,
    ],
  },
  pexpire: {
    arity: 3,
    numbers: { 2: 'int' },
    zset: false,
    reply: 'int',
    redis: ([, k = '', ms = '']) => ['PEXPIRE', k, ms],
  },
  pttl: { arity: 2, numbers: {}, zset: false, reply: 'int', redis: ([, k = '']) => ['PTTL', k] },
};

/** The text of a string reply (bulk strings arrive as latin1 strings). */
function text(value: RespValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value instanceof SimpleString) return value.value;
  return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : '';
}

export class BookProtocol {
  readonly #server: Server;
  readonly #client: Client;
  readonly #parser = new ReplyParser({ encoding: 'latin1', copyStrings: true });

  constructor(server: Server) {
    this.#server = server;
    this.#client = server.createClient(undefined);
    this.#client.w = new RespWriter(1024);
  }

  /** Runs one request and appends its response to `out`. */
  handle(argv: readonly string[], out: BinaryWriter): void {
    const name = (argv[0] ?? '').toLowerCase();
    const command = COMMANDS[name];
    if (!command || argv.length !== command.arity) {
      out.error(BinaryErrorCodes.UNKNOWN, 'unknown command.');
      return;
    }
    for (const [index, kind] of Object.entries(command.numbers)) {
      const text = argv[Number(index)] ?? '';
      const valid =
        kind === 'float' ? parseDouble(text) !== undefined : parseInt64(text) !== undefined;
      if (!valid) {
        out.error(
          BinaryErrorCodes.BAD_ARGUMENT,
          kind === 'float' ? 'expect fp number' : 'expect int',
        );
        return;
      }
    }
    const reply = this.#run(command.redis(argv));
    if (reply instanceof ErrorReply) {
      if (reply.code === 'WRONGTYPE')
        out.error(BinaryErrorCodes.BAD_TYPE, command.zset ? 'expect zset' : 'not a string value');
      else out.error(BinaryErrorCodes.BAD_ARGUMENT, reply.message);
      return;
    }
    switch (command.reply) {
      case 'nil':
        out.nil();
        return;
      case 'str':
        if (reply === null) out.nil();
        else out.str(text(reply));
        return;
      case 'int':
        out.int(typeof reply === 'number' || typeof reply === 'bigint' ? reply : 0);
        return;
      case 'keys': {
        const keys = Array.isArray(reply) ? reply : [];
        out.arrayHeader(keys.length);
        for (const key of keys) out.str(text(key));
        return;
      }
      case 'dbl':
        if (reply === null) out.nil();
        else out.dbl(Number(text(reply)));
        return;
      case 'pairs': {
        const items = Array.isArray(reply) ? reply : [];
        out.arrayHeader(items.length);
        for (let i = 0; i < items.length; i += 2) {
          out.str(text(items[i]));
          out.dbl(Number(text(items[i + 1])));
        }
        return;
      }
    }
  }

  #run(argv: string[]): RespValue {
    const client = this.#client;
    client.db = this.#server.db(0);
    client.w.reset();
    this.#server.execute(client, argv);
    this.#parser.push(Buffer.from(client.w.view()));
    client.w.reset();
    return this.#parser.next() ?? null;
  }
}
