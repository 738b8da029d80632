import captured from './redis-commands.json' with { type: 'json' };

/**
 * Command metadata (arity, flags, key positions, docs) as redis-server 7 reports it, captured with
 * scripts/gen-commands.mjs into redis-commands.json as raw RESP3 text. Parsed once at start-up;
 * COMMAND INFO / DOCS replies re-encode the same trees, so they match redis-server byte for byte.
 */

/** A RESP value tree, keeping the wire type so it can be re-encoded exactly. */
export type RespNode =
  | { readonly t: '+' | '$' | '-'; readonly v: string }
  | { readonly t: ':'; readonly v: number }
  | { readonly t: '_' }
  | { readonly t: '*' | '~'; readonly v: readonly RespNode[] }
  | { readonly t: '%'; readonly v: readonly (readonly [RespNode, RespNode])[] };

/** Parses RESP3 text (only the types redis-server uses in COMMAND replies). */
export function parseResp(text: string): RespNode {
  let at = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', at);
    const value = text.slice(at, end);
    at = end + 2;
    return value;
  };
  const node = (): RespNode => {
    const type = text[at++];
    switch (type) {
      case '+':
      case '-':
        return { t: type, v: line() };
      case ':':
        return { t: ':', v: Number(line()) };
      case '_':
        line();
        return { t: '_' };
      case '$': {
        const length = Number(line());
        const value = text.slice(at, at + length);
        at += length + 2;
        return { t: '$', v: value };
      }
      case '*':
      case '~': {
        const count = Number(line());
        const items: RespNode[] = [];
        for (let i = 0; i < count; i++) items.push(node());
        return { t: type, v: items };
      }
      case '%': {
        const count = Number(line());
        const pairs: [RespNode, RespNode][] = [];
        for (let i = 0; i < count; i++) pairs.push([node(), node()]);
        return { t: '%', v: pairs };
      }
      case undefined:
      default:
        throw new Error(`unexpected RESP type ${String(type)} in command metadata`);
    }
  };
  return node();
}

/** Encodes a tree for a RESP2 (maps and sets flattened to arrays) or RESP3 client. */
export function encodeResp(node: RespNode, protocol: 2 | 3): string {
  switch (node.t) {
    case '+':
    case '-':
      return `${node.t}${node.v}\r\n`;
    case ':':
      return `:${node.v}\r\n`;
    case '_':
      return protocol === 3 ? '_\r\n' : '$-1\r\n';
    case '$':
      return `$${node.v.length}\r\n${node.v}\r\n`;
    case '*':
    case '~':
      return `${protocol === 3 ? node.t : '*'}${node.v.length}\r\n${node.v.map((item) => encodeResp(item, protocol)).join('')}`;
    case '%':
      return protocol === 3
        ? `%${node.v.length}\r\n${node.v.map(([k, v]) => encodeResp(k, 3) + encodeResp(v, 3)).join('')}`
        : `*${node.v.length * 2}\r\n${node.v.map(([k, v]) => encodeResp(k, 2) + encodeResp(v, 2)).join('')}`;
  }
}

/** Command flags as redis-server names them (COMMAND INFO). */
export const CommandFlag = {
  WRITE: 1 << 0,
  READONLY: 1 << 1,
  DENYOOM: 1 << 2,
  ADMIN: 1 << 3,
  PUBSUB: 1 << 4,
  NOSCRIPT: 1 << 5,
  BLOCKING: 1 << 6,
  LOADING: 1 << 7,
  STALE: 1 << 8,
  SKIP_MONITOR: 1 << 9,
  SKIP_SLOWLOG: 1 << 10,
  FAST: 1 << 11,
  NO_AUTH: 1 << 12,
  MAY_REPLICATE: 1 << 13,
  NO_MULTI: 1 << 14,
  MOVABLEKEYS: 1 << 15,
  ALLOW_BUSY: 1 << 16,
  NO_MANDATORY_KEYS: 1 << 17,
  /**
   * CMD_TOUCHES_ARBITRARY_KEYS, hidden from COMMAND INFO as in redis-server (SCAN, RANDOMKEY):
   * the expired keys such a command deletes are not propagated as one transaction
   */
  TOUCHES_ARBITRARY_KEYS: 1 << 18,
} as const;

/** The commands redis-server flags CMD_TOUCHES_ARBITRARY_KEYS. */
const TOUCHES_ARBITRARY_KEYS = new Set(['scan', 'randomkey']);

/**
 * The commands redis-server 7.0 flags CMD_MAY_REPLICATE (its commands/*.json), which COMMAND
 * INFO does not show: CLIENT PAUSE WRITE holds them, a script on a read-only replica may not call
 * them.
 */
const MAY_REPLICATE = new Set(['eval', 'evalsha', 'fcall', 'pfcount', 'publish', 'spublish']);

const FLAG_BY_NAME: Record<string, number> = {
  write: CommandFlag.WRITE,
  readonly: CommandFlag.READONLY,
  denyoom: CommandFlag.DENYOOM,
  admin: CommandFlag.ADMIN,
  pubsub: CommandFlag.PUBSUB,
  noscript: CommandFlag.NOSCRIPT,
  blocking: CommandFlag.BLOCKING,
  loading: CommandFlag.LOADING,
  stale: CommandFlag.STALE,
  skip_monitor: CommandFlag.SKIP_MONITOR,
  skip_slowlog: CommandFlag.SKIP_SLOWLOG,
  fast: CommandFlag.FAST,
  no_auth: CommandFlag.NO_AUTH,
  may_replicate: CommandFlag.MAY_REPLICATE,
  no_multi: CommandFlag.NO_MULTI,
  movablekeys: CommandFlag.MOVABLEKEYS,
  allow_busy: CommandFlag.ALLOW_BUSY,
  no_mandatory_keys: CommandFlag.NO_MANDATORY_KEYS,
};

/**
 * processCommand's arity check: whether `argc` arguments (the command's name included) are the
 * wrong number for a command of `arity` (exactly `arity` when positive, at least `-arity` when
 * negative).
 */
export function arityRefuses(arity: number, argc: number): boolean {
  return (arity > 0 && argc !== arity) || argc < -arity;
}

/** Metadata of one command or subcommand. */
export interface CommandMeta {
  /** lower-case name; subcommands are "config|get" */
  readonly name: string;
  readonly arity: number;
  readonly flags: number;
  readonly flagNames: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  /** the COMMAND INFO entry */
  readonly info: RespNode;
  /**
   * the COMMAND DOCS map (for top-level commands). A function, so that the captured redis-server
   * docs are parsed when first asked for; not a getter, which gives the metadata objects other
   * hidden classes and left `execute()` reading `meta.flags` through a generic IC (SET -P 16: +2.5%
   * of the server's CPU in `LoadIC`, measured)
   */
  readonly docs: () => RespNode | undefined;
  readonly subcommands: readonly CommandMeta[];
  /** the reply of `<command> HELP`, for container commands */
  readonly help?: RespNode;
}

/** `make`, called on the first call only; its result is kept. */
function once<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

/**
 * The metadata of a COMMAND INFO entry. Its docs are parsed when first read (COMMAND DOCS): a
 * process that never asks for them keeps the parsed trees of ~240 commands off its heap (measured:
 * heap at start-up 12.5 -> 11.2-11.7 MB, RSS 65.2 -> 63.8 MB).
 */
function metaFromInfo(
  info: RespNode,
  docsOf: () => RespNode | undefined,
  help?: RespNode,
): CommandMeta {
  if (info.t !== '*') throw new Error('COMMAND INFO entry is not an array');
  const [name, arity, flags, first, last, step, , , , subs] = info.v;
  const flagNames =
    flags && (flags.t === '~' || flags.t === '*')
      ? flags.v.map((f) => (f.t === '+' || f.t === '$' ? f.v : ''))
      : [];
  const number = (node: RespNode | undefined) => (node && node.t === ':' ? node.v : 0);
  return {
    name: name && name.t === '$' ? name.v : '',
    arity: number(arity),
    flags: flagNames.reduce(
      (acc, flag) => acc | (FLAG_BY_NAME[flag] ?? 0),
      name && name.t === '$'
        ? (TOUCHES_ARBITRARY_KEYS.has(name.v) ? CommandFlag.TOUCHES_ARBITRARY_KEYS : 0) |
            (MAY_REPLICATE.has(name.v) ? CommandFlag.MAY_REPLICATE : 0)
        : 0,
    ),
    flagNames,
    firstKey: number(first),
    lastKey: number(last),
    step: number(step),
    info,
    docs: docsOf,
    subcommands:
      subs && subs.t === '*'
        ? subs.v.map((sub) =>
            metaFromInfo(
              sub,
              once(() => subcommandDocs(docsOf(), sub)),
            ),
          )
        : [],
    ...(help ? { help } : {}),
  };
}

function subcommandDocs(parentDocs: RespNode | undefined, sub: RespNode): RespNode | undefined {
  if (!parentDocs || parentDocs.t !== '%' || sub.t !== '*') return undefined;
  const name = sub.v[0];
  const subs = parentDocs.v.find(([k]) => k.t === '$' && k.v === 'subcommands')?.[1];
  if (!subs || subs.t !== '%' || !name || name.t !== '$') return undefined;
  return subs.v.find(([k]) => k.t === '$' && k.v === name.v)?.[1];
}

/** The metadata of every command redis-server 7 has, by lower-case name. */
export function loadRedisCommandMeta(): Map<string, CommandMeta> {
  const out = new Map<string, CommandMeta>();
  for (const [name, entry] of Object.entries(captured.commands)) {
    const help =
      'help' in entry && typeof entry.help === 'string' ? parseResp(entry.help) : undefined;
    const docs = entry.docs;
    out.set(
      name,
      metaFromInfo(
        parseResp(entry.info),
        once(() => parseResp(docs)),
        help,
      ),
    );
  }
  return out;
}

/** The redis-server version the metadata was captured from. */
export const CAPTURED_REDIS_VERSION: string = captured.redisVersion;

/**
 * A copy of `parent` with extra subcommands (CLIENT SETINFO, from a later Redis): their COMMAND
 * INFO entries join the parent's, their docs join its "subcommands" doc map.
 */
export function withSubcommands(parent: CommandMeta, extra: readonly CommandMeta[]): CommandMeta {
  if (parent.info.t !== '*') return parent;
  const infoItems = [...parent.info.v];
  const subs = infoItems[9];
  infoItems[9] = {
    t: '*',
    v: [...(subs && subs.t === '*' ? subs.v : []), ...extra.map((sub) => sub.info)],
  };
  const docsOf = once((): RespNode | undefined => {
    const docs = parent.docs();
    if (!docs || docs.t !== '%') return docs;
    const pairs = docs.v.map(([k, v]): readonly [RespNode, RespNode] => {
      if (k.t === '$' && k.v === 'subcommands' && v.t === '%') {
        return [
          k,
          {
            t: '%',
            v: [
              ...v.v,
              ...extra.map((sub): readonly [RespNode, RespNode] => [
                { t: '$', v: sub.name },
                sub.docs() ?? { t: '%', v: [] },
              ]),
            ],
          },
        ];
      }
      return [k, v];
    });
    return { t: '%', v: pairs };
  });
  return {
    ...parent,
    info: { t: '*', v: infoItems },
    docs: docsOf,
    subcommands: [...parent.subcommands, ...extra],
  };
}
