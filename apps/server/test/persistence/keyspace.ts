import { Conn, ReplyFailure, type Reply } from './client.js';

/** What a key looks like from outside: type, contents, TTL, OBJECT ENCODING. */
export interface KeyView {
  type: string;
  value: unknown;
  /** ms left, or -1 */
  ttl: number;
  encoding: string;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function strings(reply: Reply): string[] {
  if (!Array.isArray(reply)) throw new Error(`expected an array, got ${String(reply)}`);
  return reply.map(String);
}

/** Reads every key of databases 0..databases-1 through commands. */
export async function readKeyspace(port: number, databases = 16): Promise<Map<string, KeyView>> {
  const conn = await Conn.connect(port);
  const out = new Map<string, KeyView>();
  // redis-server accepts connections while loading (-LOADING): wait until it answers
  for (let i = 0; i < 200; i++) {
    const reply = await conn.call('PING');
    if (!(reply instanceof ReplyFailure)) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  try {
    for (let db = 0; db < databases; db++) {
      const selected = await conn.call('SELECT', db);
      if (selected instanceof ReplyFailure) break;
      const keys = strings(await conn.call('KEYS', '*')).sort(byText);
      for (const key of keys) {
        const type = String(await conn.call('TYPE', key));
        let value: unknown;
        if (type === 'string') value = await conn.call('GET', key);
        else if (type === 'list') value = strings(await conn.call('LRANGE', key, 0, -1));
        else if (type === 'set') value = strings(await conn.call('SMEMBERS', key)).sort(byText);
        else if (type === 'zset')
          value = strings(await conn.call('ZRANGE', key, 0, -1, 'WITHSCORES'));
        else if (type === 'hash') {
          const flat = strings(await conn.call('HGETALL', key));
          const pairs: [string, string][] = [];
          for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] ?? '', flat[i + 1] ?? '']);
          value = pairs.sort((a, b) => byText(a[0], b[0]));
        }
        const ttl = Number(await conn.call('PTTL', key));
        const encoding = String(await conn.call('OBJECT', 'ENCODING', key));
        out.set(`${db}:${key}`, { type, value, ttl, encoding });
      }
    }
  } finally {
    await conn.close();
  }
  return out;
}

/** Compares two keyspaces; TTLs may differ by `slackMs` (time passes between the reads). */
export function keyspaceDifferences(
  a: Map<string, KeyView>,
  b: Map<string, KeyView>,
  slackMs = 10_000,
  compareEncodings = true,
): string[] {
  const problems: string[] = [];
  for (const [name, left] of a) {
    const right = b.get(name);
    if (!right) {
      problems.push(`${name}: missing`);
      continue;
    }
    if (left.type !== right.type) problems.push(`${name}: type ${left.type} vs ${right.type}`);
    else if (JSON.stringify(left.value) !== JSON.stringify(right.value))
      problems.push(`${name}: value differs`);
    if ((left.ttl === -1) !== (right.ttl === -1) || Math.abs(left.ttl - right.ttl) > slackMs)
      problems.push(`${name}: ttl ${left.ttl} vs ${right.ttl}`);
    if (compareEncodings && left.encoding !== right.encoding)
      problems.push(`${name}: encoding ${left.encoding} vs ${right.encoding}`);
  }
  for (const name of b.keys()) if (!a.has(name)) problems.push(`${name}: unexpected`);
  return problems;
}

/** A deterministic dataset touching every type, encoding and RDB string encoding, with TTLs. */
export function datasetCommands(seed = 1): (string | number)[][] {
  let state = seed;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const binary = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(random(256))).join('');
  const commands: (string | number)[][] = [];
  // strings: int encodings, plain, compressible, binary, empty, huge
  commands.push(['SET', 'int8', '-5'], ['SET', 'int16', '3000'], ['SET', 'int32', '-2000000000']);
  commands.push(['SET', 'int64', '9223372036854775807'], ['SET', 'notint', '0012']);
  commands.push(['SET', 'empty', ''], ['SET', 'short', 'hello world']);
  commands.push(['SET', 'compressible', 'abc'.repeat(1000)], ['SET', 'binary', binary(300)]);
  commands.push(['SET', binary(12), binary(5)]);
  commands.push(['SET', 'big', 'x'.repeat(200_000) + binary(50)]);
  commands.push(['SET', 'ttl-string', 'soon', 'PX', 3_600_000]);
  // lists: small, several nodes, large elements, integers
  commands.push(['RPUSH', 'list-small', 'a', '1', '-70000', binary(20)]);
  const long: string[] = [];
  for (let i = 0; i < 3000; i++)
    long.push(i % 7 === 0 ? String(i * 1000) : `item:${i}:${binary(random(30))}`);
  for (let i = 0; i < long.length; i += 500)
    commands.push(['RPUSH', 'list-long', ...long.slice(i, i + 500)]);
  commands.push(['RPUSH', 'list-wide', 'y'.repeat(10_000), 'z'.repeat(9000), 'small']);
  commands.push(['LPUSH', 'list-lpush', 'c', 'b', 'a'], ['PEXPIRE', 'list-lpush', 7_200_000]);
  // sets: intsets of each width, hashtables
  commands.push(['SADD', 'intset16', '1', '2', '-3', '30000']);
  commands.push(['SADD', 'intset32', '1', '100000', '-2000000000']);
  commands.push(['SADD', 'intset64', '1', '9223372036854775807', '-9223372036854775808']);
  commands.push(['SADD', 'set-strings', 'a', 'b', binary(10), '12']);
  const many: string[] = [];
  for (let i = 0; i < 700; i++) many.push(String(i * 3));
  commands.push(['SADD', 'set-big-ints', ...many]);
  commands.push(['SADD', 'set-ttl', 'x'], ['PEXPIRE', 'set-ttl', 5_400_000]);
  // sorted sets: listpack (inf, decimals, big integers), skiplist
  commands.push([
    'ZADD',
    'zset-small',
    '1',
    'one',
    '2.5',
    'two',
    'inf',
    'top',
    '-inf',
    'bottom',
    '1e17',
    'e17',
    '0.1',
    'tenth',
    '-0',
    'zero',
  ]);
  const members: (string | number)[] = [];
  for (let i = 0; i < 300; i++)
    members.push(String((random(100000) - 50000) / 7), `m${i}:${binary(3)}`);
  commands.push(['ZADD', 'zset-big', ...members]);
  commands.push(['ZADD', 'zset-long-member', '1', 'w'.repeat(100)]);
  commands.push(['ZADD', 'zset-ttl', '3', 'c'], ['PEXPIRE', 'zset-ttl', 9_000_000]);
  // hashes: listpack, hashtable by count, hashtable by value length
  commands.push([
    'HSET',
    'hash-small',
    'f1',
    'v1',
    'n',
    '42',
    'neg',
    '-9000',
    binary(5),
    binary(9),
  ]);
  const fields: string[] = [];
  for (let i = 0; i < 200; i++) fields.push(`field:${i}`, i % 2 ? String(i) : `value:${binary(8)}`);
  commands.push(['HSET', 'hash-big', ...fields]);
  commands.push(['HSET', 'hash-wide', 'f', 'v'.repeat(100)]);
  commands.push(['HSET', 'hash-ttl', 'a', 'b'], ['PEXPIRE', 'hash-ttl', 10_800_000]);
  // other databases
  commands.push(['SELECT', 2], ['SET', 'in-db-2', 'two'], ['RPUSH', 'list-db-2', 'x']);
  commands.push(['SELECT', 15], ['HSET', 'h15', 'a', '1'], ['PEXPIRE', 'h15', 3_000_000]);
  commands.push(['SELECT', 0]);
  return commands;
}

/** Runs commands on a server, failing on an error reply. */
export async function runAll(
  port: number,
  commands: readonly (readonly (string | number)[])[],
): Promise<void> {
  const conn = await Conn.connect(port);
  try {
    for (const command of commands) {
      const reply = await conn.call(...command);
      if (reply instanceof ReplyFailure)
        throw new Error(`${command.join(' ').slice(0, 80)}: ${reply.message}`);
    }
  } finally {
    await conn.close();
  }
}
