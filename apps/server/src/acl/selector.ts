import { globMatch } from '../util/glob.js';
import { commandKeys, type KeyReference } from '../commands/keyspecs.js';
import { CommandFlag } from '../commands/spec.js';
import {
  categoryIndex,
  ACL_CATEGORIES,
  type AclCommand,
  type AclCommandTable,
} from './commands.js';

/**
 * An ACL selector (acl.c's aclSelector): which commands, keys and Pub/Sub channels a user may
 * use. A user has a root selector and any number of extra ones in parentheses; a command is
 * allowed when one selector allows all of it.
 */

/** Selector flags, as acl.c's SELECTOR_FLAG_*. */
export const SelectorFlag = {
  ROOT: 1,
  ALLKEYS: 2,
  ALLCOMMANDS: 4,
  ALLCHANNELS: 8,
} as const;

/** Key permissions of a key pattern (%R~, %W~, ~). */
export const KeyPermission = { READ: 1, WRITE: 2, ALL: 3 } as const;

/** Results of a permission check, ordered as acl.c's ACL_DENIED_* (the larger wins in logs). */
export const AclResult = {
  OK: 0,
  DENIED_CMD: 1,
  DENIED_KEY: 2,
  DENIED_AUTH: 3,
  DENIED_CHANNEL: 4,
} as const;

/** Why a rule was refused (the errno ACLSetSelector / ACLSetUser set). */
export type RuleError =
  'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'EALREADY';

/** A key pattern with its permissions. */
export interface KeyPattern {
  readonly pattern: string;
  flags: number;
}

/** The outcome of one check: the result and the argv index of the denied key or channel. */
export interface CheckOutcome {
  result: number;
  position: number;
}

/** Keys of the command being checked, computed once for all selectors (aclKeyResultCache). */
export class KeyCache {
  #keys: readonly KeyReference[] | undefined = undefined;
  constructor(
    readonly command: AclCommand,
    readonly argv: readonly string[],
  ) {}
  keys(): readonly KeyReference[] {
    return (this.#keys ??= commandKeys(this.command.meta, this.argv));
  }
}

/** The ACL permission a key spec needs, cached per spec flag list (they are shared objects). */
const permissionCache = new WeakMap<readonly string[], number>();

/** The ACL permission a key spec needs: access = read; insert, delete, update = write. */
export function keyPermission(flags: readonly string[]): number {
  let out = permissionCache.get(flags);
  if (out !== undefined) return out;
  out = 0;
  for (const flag of flags) {
    const lower = flag.toLowerCase();
    if (lower === 'access') out |= KeyPermission.READ;
    else if (lower === 'insert' || lower === 'delete' || lower === 'update')
      out |= KeyPermission.WRITE;
  }
  permissionCache.set(flags, out);
  return out;
}

const CHANNEL_PUBLISH = 1;
const CHANNEL_SUBSCRIBE = 2;
const CHANNEL_PATTERN = 4;

/** getChannelsFromCommand: the channel arguments ACLs check, with their kind. */
function channelArguments(
  name: string,
  argc: number,
): { from: number; to: number; kind: number } | undefined {
  switch (name) {
    case 'publish':
    case 'spublish':
      return { from: 1, to: 2, kind: CHANNEL_PUBLISH };
    case 'subscribe':
    case 'ssubscribe':
      return { from: 1, to: argc, kind: CHANNEL_SUBSCRIBE };
    case 'psubscribe':
      return { from: 1, to: argc, kind: CHANNEL_SUBSCRIBE | CHANNEL_PATTERN };
    default:
      return undefined;
  }
}

/** True when a selector's channel list lets a client use `channel` (patterns compare literally). */
export function channelAllowed(
  channels: readonly string[],
  channel: string,
  isPattern: boolean,
): boolean {
  for (const pattern of channels) {
    if (isPattern ? pattern === channel : globMatch(pattern, channel)) return true;
  }
  return false;
}

/** True when a string has a space (isspace) or a NUL: usernames, patterns and channels may not. */
export function hasSpaces(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 32 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

/**
 * One selector. The command bitmap is a Uint8Array indexed by command id, with one extra entry
 * (index `table.size`) for commands added in the future, set only by +@all / allcommands.
 *
 * @example
 * ```ts
 * const selector = new Selector(aclCommandTable(), 0);
 * selector.apply('+@read'); selector.apply('~cache:*');
 * selector.describe(); // "~cache:* resetchannels -@all +@read"
 * ```
 */
export class Selector {
  flags: number;
  readonly table: AclCommandTable;
  allowed: Uint8Array;
  /** allowed first arguments of otherwise denied commands ("+select|0"), by command id */
  firstArgs: Map<number, string[]> | undefined = undefined;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(table: AclCommandTable, flags: number) {
    this.table = table;
    this.flags = flags;
    this.allowed = new Uint8Array(table.size + 1);
  }

  /** An exact copy. O(commands + patterns). */
  clone(): Selector {
    const copy = new Selector(this.table, this.flags);
    copy.allowed.set(this.allowed);
    if (this.firstArgs) {
      copy.firstArgs = new Map();
      for (const [id, args] of this.firstArgs) copy.firstArgs.set(id, [...args]);
    }
    copy.patterns = this.patterns.map((pattern) => ({ ...pattern }));
    copy.channels = [...this.channels];
    return copy;
  }

  /** True for a selector that allows every command, key and channel. */
  get unrestricted(): boolean {
    const all = SelectorFlag.ALLKEYS | SelectorFlag.ALLCOMMANDS | SelectorFlag.ALLCHANNELS;
    return (this.flags & all) === all;
  }

  #setBit(id: number, value: boolean): void {
    this.allowed[id] = value ? 1 : 0;
    if (!value) this.flags &= ~SelectorFlag.ALLCOMMANDS;
  }

  /** ACLChangeSelectorPerm: a command and all its subcommands. */
  changePermission(command: AclCommand, allow: boolean): void {
    this.#setBit(command.id, allow);
    this.firstArgs?.delete(command.id);
    for (const sub of command.subcommands) this.#setBit(sub.id, allow);
  }

  #setCategory(bit: number, allow: boolean): void {
    const mask = 1 << bit;
    for (const command of this.table.byId) {
      if (command.categories & mask) this.changePermission(command, allow);
    }
  }

  /** Applies one selector rule (ACLSetSelector); returns why it was refused, or undefined. */
  apply(op: string): RuleError | undefined {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.flags |= SelectorFlag.ALLKEYS;
      this.patterns = [];
    } else if (lower === 'resetkeys') {
      this.flags &= ~SelectorFlag.ALLKEYS;
      this.patterns = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.flags |= SelectorFlag.ALLCHANNELS;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.flags &= ~SelectorFlag.ALLCHANNELS;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.allowed.fill(1);
      this.flags |= SelectorFlag.ALLCOMMANDS;
      this.firstArgs = undefined;
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.fill(0);
      this.flags &= ~SelectorFlag.ALLCOMMANDS;
      this.firstArgs = undefined;
    } else if (op[0] === '~' || op[0] === '%') {
      if (this.flags & SelectorFlag.ALLKEYS) return 'EEXIST';
      let flags = 0;
      let offset = 1;
      if (op[0] === '%') {
        for (; offset < op.length; offset++) {
          const c = (op[offset] ?? '').toUpperCase();
          if (c === 'R' && !(flags & KeyPermission.READ)) flags |= KeyPermission.READ;
          else if (c === 'W' && !(flags & KeyPermission.WRITE)) flags |= KeyPermission.WRITE;
          else if (c === '~') {
            offset++;
            break;
          } else return 'EINVAL';
        }
      } else flags = KeyPermission.ALL;
      if (flags === 0) return 'EINVAL';
      const pattern = op.slice(offset);
      if (hasSpaces(pattern)) return 'EINVAL';
      const existing = this.patterns.find((item) => item.pattern === pattern);
      if (existing) existing.flags |= flags;
      else this.patterns.push({ pattern, flags });
      this.flags &= ~SelectorFlag.ALLKEYS;
    } else if (op[0] === '&') {
      if (this.flags & SelectorFlag.ALLCHANNELS) return 'EISDIR';
      const channel = op.slice(1);
      if (hasSpaces(channel)) return 'EINVAL';
      if (!this.channels.includes(channel)) this.channels.push(channel);
      this.flags &= ~SelectorFlag.ALLCHANNELS;
    } else if (op[0] === '+' && op[1] !== '@') {
      const name = op.slice(1);
      const bar = name.indexOf('|');
      if (bar < 0) {
        const command = this.table.lookup(name);
        if (!command) return 'ENOENT';
        this.changePermission(command, true);
      } else {
        const full = this.table.lookup(name);
        if (full) {
          this.changePermission(full, true);
          return undefined;
        }
        const command = this.table.lookup(name.slice(0, bar));
        if (!command) return 'ENOENT';
        const sub = name.slice(bar + 1);
        if (sub === '') return 'EINVAL';
        if (command.subcommands.length) return 'ENOENT';
        // "+select|0": allowed only with this first argument (a deprecated use Redis still has)
        this.firstArgs ??= new Map();
        const list = this.firstArgs.get(command.id) ?? [];
        if (!list.some((arg) => arg.toLowerCase() === sub.toLowerCase())) list.push(sub);
        this.firstArgs.set(command.id, list);
      }
    } else if (op[0] === '-' && op[1] !== '@') {
      const command = this.table.lookup(op.slice(1));
      if (!command) return 'ENOENT';
      this.changePermission(command, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const bit = categoryIndex(op.slice(2));
      if (bit < 0) return 'ENOENT';
      this.#setCategory(bit, op[0] === '+');
    } else return 'EINVAL';
    return undefined;
  }

  /** True when commands added later would be allowed (+@all was the base). */
  get futureCommands(): boolean {
    return this.allowed[this.table.size] === 1;
  }

  /**
   * The command rules as redis-server 7.0 rebuilds them (ACLDescribeSelectorCommandRules): +@all
   * or -@all, then the categories that best explain the bitmap, then single commands and first
   * arguments (in command-table order; redis-server's order is its dict's, random per process).
   * O(categories x commands).
   */
  describeCommands(): string {
    const table = this.table;
    const additive = !this.futureCommands;
    let rules = additive ? '-@all ' : '+@all ';
    const fake = new Selector(table, 0);
    fake.apply(additive ? '-@all' : '+@all');
    const temp = this.allowed.slice();
    for (;;) {
      let best = -1;
      let minDiff = Number.MAX_SAFE_INTEGER;
      let maxSame = 0;
      for (let bit = 0; bit < ACL_CATEGORIES.length; bit++) {
        const mask = 1 << bit;
        let on = 0;
        let off = 0;
        for (const command of table.byId) {
          if (!(command.categories & mask)) continue;
          if (temp[command.id]) on++;
          else off++;
        }
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = bit;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best < 0) break;
      const name = ACL_CATEGORIES[best] ?? '';
      fake.apply(`${additive ? '+' : '-'}@${name}`);
      // the inverse on the scratch bitmap, so the next round looks at what is left
      const mask = 1 << best;
      for (const command of table.byId) {
        if (command.categories & mask) {
          temp[command.id] = additive ? 0 : 1;
          for (const sub of command.subcommands) temp[sub.id] = additive ? 0 : 1;
        }
      }
      rules += `${additive ? '+' : '-'}@${name} `;
    }
    const single = (command: AclCommand): void => {
      const userBit = this.allowed[command.id] === 1;
      const fakeBit = fake.allowed[command.id] === 1;
      if (userBit !== fakeBit) {
        rules += `${userBit ? '+' : '-'}${command.name} `;
        fake.changePermission(command, userBit);
      }
      for (const sub of command.subcommands) single(sub);
      const args = this.firstArgs?.get(command.id);
      if (!userBit && args) for (const arg of args) rules += `+${command.name}|${arg} `;
    };
    for (const command of table.commands) single(command);
    return rules.slice(0, -1);
  }

  /** The selector as ACL LIST prints it (ACLDescribeSelector). */
  describe(): string {
    let out = '';
    if (this.flags & SelectorFlag.ALLKEYS) out += '~* ';
    else for (const pattern of this.patterns) out += `${describePattern(pattern)} `;
    if (this.flags & SelectorFlag.ALLCHANNELS) out += '&* ';
    else {
      out += 'resetchannels ';
      for (const channel of this.channels) out += `&${channel} `;
    }
    return out + this.describeCommands();
  }

  /** ACL GETUSER's "keys" field. */
  describeKeys(): string {
    if (this.flags & SelectorFlag.ALLKEYS) return '~*';
    return this.patterns.map(describePattern).join(' ');
  }

  /** ACL GETUSER's "channels" field. */
  describeChannels(): string {
    if (this.flags & SelectorFlag.ALLCHANNELS) return '&*';
    return this.channels.map((channel) => `&${channel}`).join(' ');
  }

  /**
   * ACLSelectorCheckCmd: may this selector run the command with these arguments? Writes the
   * result and the index of the denied argument into `outcome`. O(keys x patterns).
   */
  check(
    command: AclCommand,
    argv: readonly string[],
    cache: KeyCache,
    outcome: CheckOutcome,
  ): void {
    outcome.result = AclResult.OK;
    outcome.position = 0;
    if (
      !(this.flags & SelectorFlag.ALLCOMMANDS) &&
      !isNoAuth(command) &&
      this.allowed[command.id] !== 1
    ) {
      const args = this.firstArgs?.get(command.id);
      const index = command.parent ? 2 : 1;
      const first = argv[index];
      if (argv.length < index + 1 || !args || first === undefined) {
        outcome.result = AclResult.DENIED_CMD;
        return;
      }
      const wanted = first.toLowerCase();
      if (!args.some((arg) => arg.toLowerCase() === wanted)) {
        outcome.result = AclResult.DENIED_CMD;
        return;
      }
    }
    if (!(this.flags & SelectorFlag.ALLKEYS)) {
      for (const key of cache.keys()) {
        if (!this.keyAllowed(argv[key.pos] ?? '', keyPermission(key.flags))) {
          outcome.result = AclResult.DENIED_KEY;
          outcome.position = key.pos;
          return;
        }
      }
    }
    if (!(this.flags & SelectorFlag.ALLCHANNELS)) {
      const channels = channelArguments(command.name, argv.length);
      if (channels) {
        for (let i = channels.from; i < channels.to; i++) {
          if (
            !channelAllowed(this.channels, argv[i] ?? '', (channels.kind & CHANNEL_PATTERN) !== 0)
          ) {
            outcome.result = AclResult.DENIED_CHANNEL;
            outcome.position = i;
            return;
          }
        }
      }
    }
  }

  /**
   * Throws unless the described command rules rebuild exactly this command bitmap (the check
   * redis-server makes before printing them) and the flags agree with the bitmap.
   * O(categories x commands).
   */
  checkInvariants(): void {
    const copy = new Selector(this.table, 0);
    for (const op of this.describeCommands().split(' ')) {
      if (copy.apply(op) !== undefined) throw new Error(`described rule ${op} is refused`);
    }
    for (let id = 0; id <= this.table.size; id++) {
      if (copy.allowed[id] !== this.allowed[id])
        throw new Error(`command bit ${id} differs after describing the rules`);
    }
    if (this.flags & SelectorFlag.ALLCOMMANDS && !this.allowed.every((bit) => bit === 1))
      throw new Error('allcommands set with a command denied');
  }

  /** ACLSelectorCheckKey: a key with the permissions its spec needs. */
  keyAllowed(key: string, needed: number): boolean {
    if (this.flags & SelectorFlag.ALLKEYS) return true;
    for (const pattern of this.patterns) {
      if ((pattern.flags & needed) !== needed) continue;
      if (globMatch(pattern.pattern, key)) return true;
    }
    return false;
  }
}

function isNoAuth(command: AclCommand): boolean {
  return (command.meta.flags & CommandFlag.NO_AUTH) !== 0;
}

function describePattern(pattern: KeyPattern): string {
  const prefix =
    pattern.flags === KeyPermission.ALL
      ? '~'
      : pattern.flags === KeyPermission.READ
        ? '%R~'
        : '%W~';
  return prefix + pattern.pattern;
}
