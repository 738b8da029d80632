import type { CommandMeta, RespNode } from './spec.js';

/**
 * Where a command's keys are: redis-server 7's key specifications (the ninth field of COMMAND
 * INFO), read from the captured metadata, and the search that redis-server's
 * getKeysFromCommandWithSpecs makes with them, including the per-command fallbacks it uses when a
 * spec does not apply (an invalid numkeys, an incomplete spec, flags that depend on arguments).
 * COMMAND GETKEYS / GETKEYSANDFLAGS answer from it, and so does everything that needs the keys of
 * an arbitrary command (persistence's copy-before-write, MULTI's key list).
 */

/** The first key: at a fixed index, or after a keyword searched for from `startfrom`. */
type BeginSearch =
  | { readonly type: 'index'; readonly pos: number }
  | { readonly type: 'keyword'; readonly keyword: string; readonly startfrom: number }
  | { readonly type: 'unknown' };

/** How many keys from the first: a range, or a count read from an argument. */
type FindKeys =
  | {
      readonly type: 'range';
      readonly lastkey: number;
      readonly keystep: number;
      readonly limit: number;
    }
  | {
      readonly type: 'keynum';
      readonly keynumidx: number;
      readonly firstkey: number;
      readonly keystep: number;
    }
  | { readonly type: 'unknown' };

/** One key specification of a command. */
export interface KeySpec {
  /** flag names as redis-server lists them (RO, RW, OW, RM, access, update, ...) */
  readonly flags: readonly string[];
  readonly begin: BeginSearch;
  readonly find: FindKeys;
}

/** A key found in a command's arguments: its index in argv and the flags of its spec. */
export interface KeyReference {
  readonly pos: number;
  readonly flags: readonly string[];
}

const NO_FLAGS: readonly string[] = [];
const specsCache = new WeakMap<CommandMeta, readonly KeySpec[]>();

function field(map: RespNode | undefined, name: string): RespNode | undefined {
  if (map?.t !== '%') return undefined;
  for (const [key, value] of map.v) if (key.t === '$' && key.v === name) return value;
  return undefined;
}

function text(node: RespNode | undefined): string {
  return node && (node.t === '$' || node.t === '+') ? node.v : '';
}

function int(node: RespNode | undefined): number {
  return node?.t === ':' ? node.v : 0;
}

function parseSpec(node: RespNode): KeySpec {
  const flagsNode = field(node, 'flags');
  const flags =
    flagsNode && (flagsNode.t === '~' || flagsNode.t === '*') ? flagsNode.v.map(text) : NO_FLAGS;
  const bs = field(node, 'begin_search');
  const bsSpec = field(bs, 'spec');
  const begin: BeginSearch =
    text(field(bs, 'type')) === 'index'
      ? { type: 'index', pos: int(field(bsSpec, 'index')) }
      : text(field(bs, 'type')) === 'keyword'
        ? {
            type: 'keyword',
            keyword: text(field(bsSpec, 'keyword')).toLowerCase(),
            startfrom: int(field(bsSpec, 'startfrom')),
          }
        : { type: 'unknown' };
  const fk = field(node, 'find_keys');
  const fkSpec = field(fk, 'spec');
  const find: FindKeys =
    text(field(fk, 'type')) === 'range'
      ? {
          type: 'range',
          lastkey: int(field(fkSpec, 'lastkey')),
          keystep: int(field(fkSpec, 'keystep')),
          limit: int(field(fkSpec, 'limit')),
        }
      : text(field(fk, 'type')) === 'keynum'
        ? {
            type: 'keynum',
            keynumidx: int(field(fkSpec, 'keynumidx')),
            firstkey: int(field(fkSpec, 'firstkey')),
            keystep: int(field(fkSpec, 'keystep')),
          }
        : { type: 'unknown' };
  return { flags, begin, find };
}

/** The key specifications of a command or subcommand, parsed once. */
export function keySpecs(meta: CommandMeta): readonly KeySpec[] {
  let specs = specsCache.get(meta);
  if (specs === undefined) {
    const list = meta.info.t === '*' ? meta.info.v[8] : undefined;
    specs = list && (list.t === '*' || list.t === '~') ? list.v.map(parseSpec) : [];
    specsCache.set(meta, specs);
  }
  return specs;
}

/**
 * Arguments whose keys redis-server finds with code rather than specs (its getkeys_proc), by
 * command name. They run when a spec fails (an incomplete one, an invalid numkeys) or when the
 * flags vary with the arguments (SET with GET, BITFIELD with SET).
 */
type KeysProc = (argv: readonly string[]) => KeyReference[];

/** atoi(): leading blanks and sign, then digits; 0 when there are none. */
function atoi(value: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(value);
  if (!match) return 0;
  const n = Number(match[1]);
  return n > 2147483647 || n < -2147483648 ? -1 : n;
}

/** genericGetKeys: numkeys at `countAt`, keys from `firstAt`, a store key at `storeAt` (last). */
function generic(storeAt: number, countAt: number, firstAt: number): KeysProc {
  return (argv) => {
    const count = atoi(argv[countAt] ?? '');
    if (count < 1 || count > argv.length - firstAt) return [];
    const keys: KeyReference[] = [];
    for (let i = 0; i < count; i++) keys.push({ pos: firstAt + i, flags: NO_FLAGS });
    if (storeAt) keys.push({ pos: storeAt, flags: NO_FLAGS });
    return keys;
  };
}

const RW_ACCESS_UPDATE = ['RW', 'access', 'update'] as const;
const RO_ACCESS = ['RO', 'access'] as const;
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'] as const;
const OW_UPDATE = ['OW', 'update'] as const;

const PROCS: Readonly<Record<string, KeysProc>> = {
  zunionstore: generic(1, 2, 3),
  zinterstore: generic(1, 2, 3),
  zdiffstore: generic(1, 2, 3),
  zunion: generic(0, 1, 2),
  zinter: generic(0, 1, 2),
  zdiff: generic(0, 1, 2),
  zintercard: generic(0, 1, 2),
  sintercard: generic(0, 1, 2),
  eval: generic(0, 2, 3),
  evalsha: generic(0, 2, 3),
  eval_ro: generic(0, 2, 3),
  evalsha_ro: generic(0, 2, 3),
  fcall: generic(0, 2, 3),
  fcall_ro: generic(0, 2, 3),
  lmpop: generic(0, 1, 2),
  zmpop: generic(0, 1, 2),
  blmpop: generic(0, 2, 3),
  bzmpop: generic(0, 2, 3),
  set(argv) {
    for (let i = 3; i < argv.length; i++) {
      if (argv[i]!.toLowerCase() === 'get') return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
    }
    return [{ pos: 1, flags: OW_UPDATE }];
  },
  bitfield(argv) {
    let readonly = true;
    for (let i = 2; i < argv.length; i++) {
      const remaining = argv.length - i - 1;
      const arg = argv[i]!.toLowerCase();
      if (arg === 'get' && remaining >= 2) i += 2;
      else if ((arg === 'set' || arg === 'incrby') && remaining >= 3) {
        readonly = false;
        break;
      } else if (arg === 'overflow' && remaining >= 1) i += 1;
      else {
        readonly = false; // a syntax error: not read-only, to be safe
        break;
      }
    }
    return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
  },
  sort(argv) {
    const keys: KeyReference[] = [{ pos: 1, flags: RO_ACCESS }];
    let store = 0;
    for (let i = 2; i < argv.length; i++) {
      const arg = argv[i]!.toLowerCase();
      if (arg === 'limit') i += 2;
      else if (arg === 'get' || arg === 'by') i += 1;
      else if (arg === 'store' && i + 1 < argv.length) store = i + 1; // the last STORE wins
    }
    if (store) keys.push({ pos: store, flags: OW_UPDATE });
    return keys;
  },
  sort_ro: () => [{ pos: 1, flags: RO_ACCESS }],
  migrate(argv) {
    let first = 3;
    let count = 1;
    if (argv.length > 6) {
      const skips: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
      for (let i = 6; i < argv.length; i++) {
        const arg = argv[i]!.toLowerCase();
        if (arg === 'keys') {
          if (argv[3] !== '') return [];
          first = i + 1;
          count = argv.length - first;
          break;
        }
        i += skips[arg] ?? 0;
      }
    }
    const keys: KeyReference[] = [];
    for (let i = 0; i < count; i++) keys.push({ pos: first + i, flags: RW_ACCESS_DELETE });
    return keys;
  },
  xread: xreadKeys,
  xreadgroup: xreadKeys,
};

/** xreadGetKeys: the keys after the first STREAMS that is an option, half of what follows. */
function xreadKeys(argv: readonly string[]): KeyReference[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!.toLowerCase();
    if (arg === 'block' || arg === 'count') i++;
    else if (arg === 'group') i += 2;
    else if (arg === 'noack') continue;
    else {
      if (arg === 'streams') streams = i;
      break;
    }
  }
  const rest = argv.length - streams - 1;
  if (streams === -1 || rest === 0 || rest % 2 !== 0) return [];
  const keys: KeyReference[] = [];
  for (let i = streams + 1; i < argv.length - rest / 2; i++) keys.push({ pos: i, flags: NO_FLAGS });
  return keys;
}

/** A whole integer as string2ll accepts it (no blanks, no '+', no leading zeros), or undefined. */
function parseKeyCount(value: string): number | undefined {
  if (!/^(0|-?[1-9]\d{0,18})$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : n < 0 ? -Infinity : Infinity;
}

/** getKeysUsingKeySpecs: the keys the specs give, or undefined when one of them does not apply. */
function keysFromSpecs(
  specs: readonly KeySpec[],
  arity: number,
  argv: readonly string[],
): KeyReference[] | undefined {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const begin = spec.begin;
    if (begin.type === 'index') first = begin.pos;
    else if (begin.type === 'keyword') {
      const forward = begin.startfrom > 0;
      const start = forward ? begin.startfrom : argc + begin.startfrom;
      const end = forward ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i]!.toLowerCase() === begin.keyword) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword not found
    } else return undefined;

    let last: number;
    let step: number;
    const find = spec.find;
    if (find.type === 'range') {
      step = find.keystep;
      if (find.lastkey >= 0) last = first + find.lastkey;
      else if (find.limit === 0) last = argc + find.lastkey;
      else last = first + (Math.trunc((argc - first) / find.limit) + find.lastkey);
    } else if (find.type === 'keynum') {
      step = find.keystep;
      const at = first + find.keynumidx;
      if (at >= argc) return undefined;
      const count = parseKeyCount(argv[at]!);
      if (count === undefined || count < 0) return undefined;
      first += find.firstkey;
      last = first + count - 1;
    } else return undefined;

    if (last >= argc || last < first || first >= argc) return undefined;
    for (let i = first; i <= last; i += step) {
      // a variadic command may declare more keys than it got: its own syntax check answers
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        return undefined;
      }
      keys.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) return undefined;
  }
  return keys;
}

/** doesCommandHaveKeys: a key spec that names real keys, or a key-finding procedure. */
export function commandHasKeys(meta: CommandMeta): boolean {
  return meta.name in PROCS || keySpecs(meta).some((spec) => !spec.flags.includes('not_key'));
}

/**
 * getKeysFromCommandWithSpecs: the keys of `argv` (argv[0] is the command name; for a subcommand,
 * argv[1] its name) with their spec flags, in redis-server's order. Empty when the arguments
 * give none (a bad numkeys). O(argc).
 */
export function commandKeys(meta: CommandMeta, argv: readonly string[]): KeyReference[] {
  const specs = keySpecs(meta);
  const real = specs.some((spec) => !spec.flags.includes('not_key'));
  const variableFlags = specs.some((spec) => spec.flags.includes('variable_flags'));
  if (real && !variableFlags) {
    const keys = keysFromSpecs(specs, meta.arity, argv);
    if (keys !== undefined) return keys;
  }
  const proc = PROCS[meta.name];
  return proc === undefined ? [] : proc(argv);
}
