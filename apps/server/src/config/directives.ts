import redisDirectives from './redis-directives.json' with { type: 'json' };
import redisDirectiveTypes from './redis-directive-types.json' with { type: 'json' };
import {
  asInt,
  asLongLong,
  LLONG_MAX,
  memtoull,
  string2ll,
  strtollWhole,
  ULLONG,
} from './c-numbers.js';

/**
 * The directives byor understands, with redis-server 7's types, ranges and error texts.
 * Every directive redis-server knows is accepted (redis-directives.json, captured from
 * redis-server itself); those marked `implemented: false` are stored and shown by CONFIG GET but
 * have no effect yet, and byor logs a warning naming them when they appear in the config.
 */
export type DirectiveKind = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'special';

export interface DirectiveSpec {
  readonly name: string;
  readonly kind: DirectiveKind;
  readonly implemented: boolean;
  readonly mutable: boolean;
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** an integer written in octal (unixsocketperm): parsed, bounded and shown so */
  readonly octal?: boolean;
  /** int directives that redis-server clamps instead of refusing (hz) */
  readonly clamp?: readonly [number, number];
  readonly values?: readonly string[];
  /** the canonical name, for aliases such as slaveof -> replicaof */
  readonly aliasOf?: string;
  /** parses/validates a value; returns the canonical text or an error message */
  readonly parse?: (args: readonly string[]) => { value: string } | { error: string };
}

const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

function bool(name: string, implemented: boolean, mutable = true): DirectiveSpec {
  return { name, kind: 'bool', implemented, mutable };
}
function int(
  name: string,
  min: number,
  max: number,
  implemented: boolean,
  mutable = true,
  clamp?: readonly [number, number],
): DirectiveSpec {
  return clamp
    ? { name, kind: 'int', implemented, mutable, min, max, clamp }
    : { name, kind: 'int', implemented, mutable, min, max };
}
function memory(
  name: string,
  min: number,
  max: number,
  implemented: boolean,
  mutable = true,
): DirectiveSpec {
  return { name, kind: 'memory', implemented, mutable, min, max };
}
function oneOf(
  name: string,
  values: readonly string[],
  implemented: boolean,
  mutable = true,
): DirectiveSpec {
  return { name, kind: 'enum', implemented, mutable, values };
}
function text(name: string, implemented: boolean, mutable = true): DirectiveSpec {
  return { name, kind: 'string', implemented, mutable };
}
function special(
  name: string,
  implemented: boolean,
  mutable: boolean,
  parse: DirectiveSpec['parse'],
): DirectiveSpec {
  return parse
    ? { name, kind: 'special', implemented, mutable, parse }
    : { name, kind: 'special', implemented, mutable };
}

/** `replicaof <host> <port>` (or `no one`): stored as "host port", or "" for none. */
function parseReplicaof(args: readonly string[]): { value: string } | { error: string } {
  const parts = args.join(' ').split(' ').filter(Boolean);
  if (parts.length !== 2) return { error: 'wrong number of arguments' };
  const [host = '', port = ''] = parts;
  if (host.toLowerCase() === 'no' && port.toLowerCase() === 'one') return { value: '' };
  if (!/^\d+$/.test(port) || Number(port) > 65535) return { error: 'Invalid master port' };
  return { value: `${host} ${Number(port)}` };
}

/** `save "3600 1 300 100"`: pairs of seconds and changes; "" disables. */
function parseSave(args: readonly string[]): { value: string } | { error: string } {
  const parts = args
    .join(' ')
    .split(' ')
    .filter((part) => part.length > 0);
  if (parts.length % 2 !== 0 || parts.some((part) => !/^\d+$/.test(part))) {
    return { error: 'Invalid save parameters' };
  }
  return { value: parts.join(' ') };
}

const KEYSPACE_EVENT_CLASSES = 'Ag$lshzxeKEtmdn';
function parseNotify(args: readonly string[]): { value: string } | { error: string } {
  const value = args.join(' ');
  for (const c of value) {
    if (!KEYSPACE_EVENT_CLASSES.includes(c)) {
      return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
    }
  }
  return { value: formatNotifyFlags(value, true) };
}

/**
 * The flags in redis-server's canonical order (notify.c keyspaceEventsFlagsToString). Its text
 * leaves out n (new-key events, not in the A class) beside A, though the flag stays set: the
 * stored value keeps it (`keepNew`), CONFIG GET and CONFIG REWRITE show redis-server's text.
 */
export function formatNotifyFlags(value: string, keepNew = false): string {
  const has = (c: string) => value.includes(c) || (value.includes('A') && 'g$lshzxetd'.includes(c));
  let out = '';
  if ([...'g$lshzxetd'].every(has)) out += keepNew && has('n') ? 'An' : 'A';
  else for (const c of 'g$lshzxetdn') if (has(c)) out += c;
  if (has('K')) out += 'K';
  if (has('E')) out += 'E';
  if (has('m')) out += 'm';
  return out;
}

function parseBufferLimits(args: readonly string[]): { value: string } | { error: string } {
  const parts = args
    .join(' ')
    .split(' ')
    .filter((part) => part.length > 0);
  if (parts.length === 0 || parts.length % 4 !== 0) {
    return { error: 'Wrong number of arguments in buffer limit configuration.' };
  }
  // the sizes as decimal text: an unsigned long long is exact there
  const classes: Record<string, [string, string, number]> = {};
  for (let i = 0; i < parts.length; i += 4) {
    const rawClass = (parts[i] ?? '').toLowerCase();
    const name = rawClass === 'slave' ? 'replica' : rawClass;
    if (name !== 'normal' && name !== 'replica' && name !== 'pubsub') {
      return { error: 'Invalid client class specified in buffer limit configuration.' };
    }
    // updateClientOutputBufferLimit: memtoull sizes, strtoll seconds stored into an int
    const hard = memtoull(parts[i + 1] ?? '');
    const soft = memtoull(parts[i + 2] ?? '');
    const longSeconds = strtollWhole(parts[i + 3] ?? '', 10);
    const seconds = longSeconds === undefined ? -1 : asInt(longSeconds);
    if (hard === undefined || soft === undefined || seconds < 0) {
      return {
        error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.',
      };
    }
    classes[name] = [hard.toString(), soft.toString(), seconds];
  }
  return { value: JSON.stringify(classes) };
}

function parseBind(args: readonly string[]): { value: string } | { error: string } {
  const addresses = args
    .join(' ')
    .split(' ')
    .filter((part) => part.length > 0);
  if (addresses.length > 16) return { error: 'Too many bind addresses specified.' };
  return { value: addresses.join(' ') };
}

const implementedSpecs: DirectiveSpec[] = [
  int('port', 0, 65535, true),
  special('bind', true, true, parseBind),
  bool('protected-mode', true),
  text('unixsocket', true, false),
  { ...int('unixsocketperm', 0, 0o777, true, false), octal: true },
  int('tcp-backlog', 0, INT_MAX, true, false),
  int('tcp-keepalive', 0, INT_MAX, true),
  int('databases', 1, INT_MAX, true, false),
  text('requirepass', true),
  int('maxclients', 1, INT_MAX, true),
  int('timeout', 0, INT_MAX, true),
  memory('proto-max-bulk-len', 1024 * 1024, LONG_MAX, true),
  memory('client-query-buffer-limit', 1024 * 1024, LONG_MAX, true),
  special('client-output-buffer-limit', true, true, parseBufferLimits),
  int('hz', 0, INT_MAX, true, true, [1, 500]),
  bool('dynamic-hz', true),
  special('notify-keyspace-events', true, true, parseNotify),
  oneOf('loglevel', ['debug', 'verbose', 'notice', 'warning'], true),
  text('logfile', true, false),
  bool('daemonize', true, false),
  text('pidfile', true, false),
  int('slowlog-log-slower-than', -1, LONG_MAX, true),
  int('slowlog-max-len', 0, LONG_MAX, true),
  int('latency-monitor-threshold', 0, LONG_MAX, true),
  int('hash-max-listpack-entries', 0, LONG_MAX, true),
  int('hash-max-listpack-value', 0, LONG_MAX, true),
  int('set-max-intset-entries', 0, LONG_MAX, true),
  int('zset-max-listpack-entries', 0, LONG_MAX, true),
  int('zset-max-listpack-value', 0, LONG_MAX, true),
  int('list-max-listpack-size', -5, INT_MAX, true),
  oneOf('enable-debug-command', ['no', 'yes', 'local'], true, false),
  oneOf('enable-protected-configs', ['no', 'yes', 'local'], true, false),
  bool('activerehashing', true),
  // background freeing: byor's values are freed by the garbage collector either way; deletions
  // propagate as UNLINK where redis-server's do (Server.deletionCommand)
  bool('lazyfree-lazy-eviction', true),
  bool('lazyfree-lazy-expire', true),
  bool('lazyfree-lazy-server-del', true),
  bool('lazyfree-lazy-user-del', true),
  bool('lazyfree-lazy-user-flush', true),
  bool('replica-lazy-flush', true),
  int('active-expire-effort', 1, 10, true),
  special('save', true, true, parseSave),
  special('dir', true, true, undefined),
  text('dbfilename', true),
  bool('appendonly', true),
  oneOf('appendfsync', ['everysec', 'always', 'no'], true),
  text('appendfilename', true, false),
  text('appenddirname', true, false),
  bool('rdbcompression', true),
  bool('rdbchecksum', true, false),
  bool('stop-writes-on-bgsave-error', true),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  memory('maxmemory', 0, LONG_MAX, true),
  oneOf(
    'maxmemory-policy',
    [
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'noeviction',
    ],
    true,
  ),
  int('maxmemory-samples', 1, INT_MAX, true),
  int('maxmemory-eviction-tenacity', 0, 100, true),
  int('lfu-log-factor', 0, INT_MAX, true),
  int('lfu-decay-time', 0, INT_MAX, true),
  int('tracking-table-max-keys', 0, 4294967295, true),
  int('busy-reply-threshold', 0, LONG_MAX, true),
  int('stream-node-max-entries', 0, LONG_MAX, true),
  memory('stream-node-max-bytes', 0, LONG_MAX, true),
  text('aclfile', true, false),
  int('acllog-max-len', 0, LONG_MAX, true),
  oneOf('acl-pubsub-default', ['allchannels', 'resetchannels'], true),
  special('replicaof', true, false, parseReplicaof),
  text('masterauth', true),
  text('masteruser', true),
  bool('replica-read-only', true),
  bool('replica-serve-stale-data', true),
  bool('replica-ignore-maxmemory', true),
  int('min-replicas-to-write', 0, INT_MAX, true),
  int('min-replicas-max-lag', 0, INT_MAX, true),
  text('replica-announce-ip', true),
  int('replica-announce-port', 0, 65535, true),
  memory('repl-backlog-size', 1, LONG_MAX, true),
  int('repl-backlog-ttl', 0, LONG_MAX, true),
  int('repl-timeout', 1, INT_MAX, true),
  int('repl-ping-replica-period', 1, INT_MAX, true),
  oneOf('repl-diskless-load', ['disabled', 'on-empty-db', 'swapdb'], true),
  bool('rdb-del-sync-files', true),
  // byor's own: the port for the book's binary protocol (0 = off)
  int('byor-port', 0, 65535, true, false),
];

const ALIASES: Record<string, string> = {
  slaveof: 'replicaof',
  'hash-max-ziplist-entries': 'hash-max-listpack-entries',
  'hash-max-ziplist-value': 'hash-max-listpack-value',
  'zset-max-ziplist-entries': 'zset-max-listpack-entries',
  'zset-max-ziplist-value': 'zset-max-listpack-value',
  'list-max-ziplist-size': 'list-max-listpack-size',
  'lua-time-limit': 'busy-reply-threshold',
  'slave-serve-stale-data': 'replica-serve-stale-data',
  'slave-read-only': 'replica-read-only',
  'slave-priority': 'replica-priority',
  'slave-announce-ip': 'replica-announce-ip',
  'slave-announce-port': 'replica-announce-port',
  'slave-lazy-flush': 'replica-lazy-flush',
  'slave-ignore-maxmemory': 'replica-ignore-maxmemory',
  'repl-ping-slave-period': 'repl-ping-replica-period',
  'min-slaves-to-write': 'min-replicas-to-write',
  'min-slaves-max-lag': 'min-replicas-max-lag',
  'cluster-slave-validity-factor': 'cluster-replica-validity-factor',
  'cluster-slave-no-failover': 'cluster-replica-no-failover',
};

/** Directives redis-server reads from a config file but does not show in CONFIG GET. */
const FILE_ONLY = ['include', 'rename-command', 'user', 'loadmodule', 'sentinel'];

/** redis-server's defaults, as CONFIG GET * prints them (captured from redis-server 7.0). */
export const REDIS_DEFAULTS: Readonly<Record<string, string>> = redisDirectives.defaults;

/** byor's defaults where they differ from redis-server's compiled-in ones. */
export const BYOR_DEFAULTS: Readonly<Record<string, string>> = {
  // redis.conf as shipped binds to loopback; byor does so without a config file too.
  bind: '127.0.0.1 -::1',
  'byor-port': '0',
};

/**
 * redis-server's HIDDEN_CONFIG parameters (testing and debugging knobs): CONFIG SET and CONFIG
 * GET take them by their exact name, a CONFIG GET pattern leaves them out. Known, not implemented.
 */
const HIDDEN: readonly (readonly [DirectiveSpec, string])[] = [
  [bool('use-exit-on-panic', false), 'no'],
  [bool('lua-enable-deprecated-api', false, false), 'no'],
  [int('rdb-key-save-delay', -INT_MAX - 1, INT_MAX, false), '0'],
  [int('key-load-delay', -INT_MAX - 1, INT_MAX, false), '0'],
  [int('watchdog-period', 0, INT_MAX, false), '0'],
  [int('loading-process-events-interval-bytes', 1024, INT_MAX, false), '2097152'],
];

/** The defaults of the {@link HIDDEN} parameters. */
export const HIDDEN_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  HIDDEN.map(([spec, value]) => [spec.name, value]),
);

/**
 * Whether a CONFIG GET pattern leaves `name` out: redis-server's hidden parameters, and byor's
 * own `byor-port` (so that `CONFIG GET *` lists what redis-server lists, and tools that set back
 * every directive it lists meet only redis-server's). An exact name shows them.
 */
export function isHiddenDirective(name: string): boolean {
  return HIDDEN_DEFAULTS[name] !== undefined || name === 'byor-port';
}

/**
 * Directives outside the table above that redis-server 7.0 refuses to CONFIG SET ("can't set
 * immutable config"): measured by setting every directive to its own value (admin.test.ts
 * compares the whole table with redis-server's).
 */
const IMMUTABLE_AT_RUN_TIME = new Set([
  'always-show-logo',
  'aof_rewrite_cpulist',
  'bgsave_cpulist',
  'bio_cpulist',
  'cluster-config-file',
  'cluster-enabled',
  'cluster-port',
  'disable-thp',
  'enable-module-command',
  'io-threads',
  'io-threads-do-reads',
  'server_cpulist',
  'set-proc-title',
  'socket-mark-id',
  'supervised',
  'syslog-enabled',
  'syslog-facility',
  'syslog-ident',
]);

/**
 * Directives read where they act (their kind and bounds come from the captured table below):
 * the AOF's automatic rewrite, HyperLogLog and quicklist encodings, a replica's INFO fields,
 * MODULE's guard. Not warned about.
 */
const IMPLEMENTED_ELSEWHERE = new Set([
  'always-show-logo',
  'aof-timestamp-enabled',
  'key-load-delay',
  'loading-process-events-interval-bytes',
  'auto-aof-rewrite-percentage',
  'auto-aof-rewrite-min-size',
  'hll-sparse-max-bytes',
  'list-compress-depth',
  'replica-announced',
  'replica-priority',
  'enable-module-command',
]);

/** Directives outside the table above with a syntax of their own, checked as redis-server does. */
const OWN_SYNTAX: Readonly<Record<string, DirectiveSpec['parse']>> = {
  'latency-tracking-info-percentiles': parsePercentiles,
  'maxmemory-clients': parseMemoryOrPercent,
};

/**
 * PROTECTED_CONFIG: CONFIG SET of these only with `enable-protected-configs yes` (or `local`
 * from a local client), so that a client cannot point the RDB file anywhere on the disk.
 */
const PROTECTED = new Set(['dir', 'dbfilename']);

/** Whether CONFIG SET of a directive needs enable-protected-configs. */
export function isProtectedDirective(spec: DirectiveSpec): boolean {
  return PROTECTED.has(spec.aliasOf ?? spec.name);
}

const specs = new Map<string, DirectiveSpec>();
for (const spec of implementedSpecs) specs.set(spec.name, spec);
for (const [spec] of HIDDEN) specs.set(spec.name, spec);
for (const [name, defaultValue] of Object.entries(REDIS_DEFAULTS)) {
  if (specs.has(name) || ALIASES[name]) continue;
  const kind: DirectiveKind =
    defaultValue === 'yes' || defaultValue === 'no'
      ? 'bool'
      : /^-?\d+$/.test(defaultValue)
        ? 'int'
        : 'string';
  // a number's kind and bounds (a memory size, say) come from the captured types below
  const mutable = !IMMUTABLE_AT_RUN_TIME.has(name);
  const implemented = IMPLEMENTED_ELSEWHERE.has(name);
  const parse = OWN_SYNTAX[name];
  specs.set(
    name,
    parse !== undefined
      ? { name, kind: 'special', implemented, mutable, parse }
      : { name, kind, implemented, mutable },
  );
}
// the kinds and bounds redis-server checks values with (scripts/gen-config-types.mjs): every
// directive of those kinds takes them, implemented or not (hz keeps its clamp)
for (const [name, type] of Object.entries(redisDirectiveTypes as Record<string, CapturedType>)) {
  const spec = specs.get(name);
  if (spec === undefined || spec.parse !== undefined) continue;
  const { parse: _unused, ...rest } = spec;
  specs.set(name, {
    ...rest,
    kind: type.kind,
    ...(type.min === undefined ? {} : { min: BigInt(type.min), max: BigInt(type.max ?? '0') }),
    ...(type.values === undefined ? {} : { values: type.values }),
  });
}

for (const [alias, canonical] of Object.entries(ALIASES)) {
  const target = specs.get(canonical);
  if (target) specs.set(alias, { ...target, name: alias, aliasOf: canonical });
}
for (const name of FILE_ONLY)
  specs.set(name, {
    name,
    kind: 'special',
    implemented: name === 'user' || name === 'rename-command',
    mutable: false,
  });

/** A directive's kind and bounds as gen-config-types.mjs captured them from redis-server. */
interface CapturedType {
  kind: 'bool' | 'int' | 'memory' | 'enum';
  min?: string;
  max?: string;
  values?: string[];
}

/** The bounds check of a numeric directive, its error text as redis-server's. */
function outOfBounds(spec: DirectiveSpec, value: bigint): string | undefined {
  if (spec.min === undefined || spec.max === undefined) return undefined;
  const min = BigInt(spec.min);
  const max = BigInt(spec.max);
  // an unsigned directive compares the value's unsigned reading (a negative one is huge)
  const unsigned = max > LLONG_MAX || spec.octal === true;
  const compared = unsigned && value < 0n ? value + ULLONG : value;
  if (compared >= min && compared <= max) return undefined;
  const show = (bound: bigint) => (spec.octal ? bound.toString(8) : bound.toString());
  return `argument must be between ${show(min)} and ${show(max)} inclusive`;
}

/** latency-tracking-info-percentiles: numbers in [0, 100] (string2d's), "" for none. */
function parsePercentiles(args: readonly string[]): { value: string } | { error: string } {
  // CONFIG SET gives them as one argument, a line as several
  const words = args.join(' ').split(' ').filter(Boolean);
  for (const word of words) {
    const inf = /^[+-]?inf(inity)?$/i.test(word);
    if (!inf && !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(word))
      return { error: 'Invalid latency-tracking-info-percentiles parameters' };
    const value = inf ? (word.startsWith('-') ? -Infinity : Infinity) : Number(word);
    if (value < 0 || value > 100)
      return {
        error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]',
      };
  }
  return { value: words.join(' ') };
}

/** maxmemory-clients: a memory size, or a percentage of maxmemory up to 100 ("5%"). */
function parseMemoryOrPercent(args: readonly string[]): { value: string } | { error: string } {
  const raw = args.join(' ');
  const bytes = memtoull(raw);
  if (bytes !== undefined) return { value: asLongLong(bytes).toString() };
  const percent = raw.length > 1 && raw.endsWith('%') ? string2ll(raw.slice(0, -1)) : undefined;
  if (percent === undefined || percent < 0n)
    return { error: 'argument must be a memory or percent value' };
  if (percent > 100n) return { error: 'percentage argument must be less or equal to 100' };
  return { value: `${percent}%` };
}

/** Looks a directive up by name (case-insensitive), aliases included. */
export function directive(name: string): DirectiveSpec | undefined {
  return specs.get(name.toLowerCase());
}

/** All directive names CONFIG GET can show (aliases included, file-only ones excluded). */
export function directiveNames(): string[] {
  return [...specs.keys()].filter((name) => !FILE_ONLY.includes(name));
}

/** Validates a value for a directive; returns its canonical text or redis-server's error text. */
export function validate(
  spec: DirectiveSpec,
  args: readonly string[],
): { value: string } | { error: string } {
  if (spec.parse) return spec.parse(args);
  const raw = args.join(' ');
  switch (spec.kind) {
    case 'bool': {
      const lower = raw.toLowerCase();
      if (lower !== 'yes' && lower !== 'no') return { error: "argument must be 'yes' or 'no'" };
      return { value: lower };
    }
    case 'int': {
      const value = spec.octal ? strtollWhole(raw, 8) : string2ll(raw);
      if (value === undefined)
        return {
          error: spec.octal
            ? "argument couldn't be parsed as an octal number"
            : "argument couldn't be parsed into an integer",
        };
      const error = outOfBounds(spec, value);
      if (error !== undefined) return { error };
      if (spec.clamp)
        return { value: String(Math.min(Math.max(Number(value), spec.clamp[0]), spec.clamp[1])) };
      return { value: value.toString() };
    }
    case 'memory': {
      const bytes = memtoull(raw);
      if (bytes === undefined) return { error: 'argument must be a memory value' };
      // a signed directive reads the bytes as a long long (past LLONG_MAX: negative)
      const unsigned = spec.max !== undefined && BigInt(spec.max) > LLONG_MAX;
      const value = unsigned ? bytes : asLongLong(bytes);
      const error = outOfBounds(spec, value);
      if (error !== undefined) return { error };
      return { value: value.toString() };
    }
    case 'enum': {
      // a flags enum (shutdown-on-sigint) takes several of its words
      const words = raw.toLowerCase().split(' ');
      if (!words.every((word) => spec.values?.includes(word))) {
        return {
          error: `argument(s) must be one of the following: ${(spec.values ?? []).join(', ')}`,
        };
      }
      return { value: words.join(' ') };
    }
    case 'string':
    case 'special':
      return { value: raw };
  }
}
