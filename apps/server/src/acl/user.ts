import { splitArgs } from '@byor/protocol';
import { createHash } from 'node:crypto';
import type { AclCommandTable } from './commands.js';
import { Selector, SelectorFlag, hasSpaces, type RuleError } from './selector.js';

/** User flags in the order ACL LIST and ACL GETUSER print them (acl.c's ACLUserFlags). */
export const UserFlag = {
  ENABLED: 1,
  DISABLED: 2,
  NOPASS: 4,
  SKIP_SANITIZE_PAYLOAD: 8,
  SANITIZE_PAYLOAD: 16,
} as const;

const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [UserFlag.ENABLED, 'on'],
  [UserFlag.DISABLED, 'off'],
  [UserFlag.NOPASS, 'nopass'],
  [UserFlag.SKIP_SANITIZE_PAYLOAD, 'skip-sanitize-payload'],
  [UserFlag.SANITIZE_PAYLOAD, 'sanitize-payload'],
];

/** SHA-256 of a password in lower-case hex, as ACL stores it. O(length). */
export function hashPassword(password: string): string {
  return createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

/** ACLCheckPasswordHash: 64 lower-case hex digits. */
function validHash(hash: string): boolean {
  return /^[0-9a-f]{64}$/.test(hash);
}

/**
 * An ACL user: flags, password hashes, and its selectors (the root one first).
 *
 * @example
 * ```ts
 * const user = new User('alice', aclCommandTable(), false);
 * for (const rule of ['on', '>secret', '~app:*', '+@read']) user.setRule(rule);
 * user.describe(); // "on #2bb8... ~app:* resetchannels -@all +@read"
 * ```
 */
export class User {
  readonly name: string;
  flags: number = UserFlag.DISABLED;
  /** SHA-256 hex hashes, in the order they were added */
  passwords: string[] = [];
  /** the root selector first, then the ones given in parentheses */
  selectors: Selector[];
  readonly #table: AclCommandTable;
  /** acl-pubsub-default: new selectors start with all channels */
  readonly #allChannels: boolean;

  constructor(name: string, table: AclCommandTable, allChannelsByDefault: boolean) {
    this.name = name;
    this.#table = table;
    this.#allChannels = allChannelsByDefault;
    this.selectors = [this.#newSelector(SelectorFlag.ROOT)];
  }

  #newSelector(flags: number): Selector {
    return new Selector(this.#table, flags | (this.#allChannels ? SelectorFlag.ALLCHANNELS : 0));
  }

  /** The root selector (the rules outside parentheses). */
  get root(): Selector {
    return this.selectors[0] as Selector;
  }

  get enabled(): boolean {
    return (this.flags & UserFlag.ENABLED) !== 0;
  }

  get nopass(): boolean {
    return (this.flags & UserFlag.NOPASS) !== 0;
  }

  /** True when the user may run anything (the fast path skips every check for it). */
  get unrestricted(): boolean {
    return this.selectors.length === 1 && this.root.unrestricted;
  }

  /** A copy with another name or the same (ACL SETUSER stages changes on one). O(rules). */
  clone(name = this.name): User {
    const copy = new User(name, this.#table, this.#allChannels);
    copy.copyFrom(this);
    return copy;
  }

  /** ACLCopyUser: takes every setting of `source`. */
  copyFrom(source: User): void {
    this.flags = source.flags;
    this.passwords = [...source.passwords];
    this.selectors = source.selectors.map((selector) => selector.clone());
  }

  /** Does this password log the user in? (disabled users never log in) */
  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    const hash = hashPassword(password);
    return this.passwords.includes(hash);
  }

  /** Applies one rule (ACLSetUser); returns why it was refused, or undefined. */
  setRule(op: string): RuleError | undefined {
    if (op.length === 0) return undefined;
    const lower = op.toLowerCase();
    switch (lower) {
      case 'on':
        this.flags = (this.flags | UserFlag.ENABLED) & ~UserFlag.DISABLED;
        return undefined;
      case 'off':
        this.flags = (this.flags | UserFlag.DISABLED) & ~UserFlag.ENABLED;
        return undefined;
      case 'skip-sanitize-payload':
        this.flags = (this.flags | UserFlag.SKIP_SANITIZE_PAYLOAD) & ~UserFlag.SANITIZE_PAYLOAD;
        return undefined;
      case 'sanitize-payload':
        this.flags = (this.flags | UserFlag.SANITIZE_PAYLOAD) & ~UserFlag.SKIP_SANITIZE_PAYLOAD;
        return undefined;
      case 'nopass':
        this.flags |= UserFlag.NOPASS;
        this.passwords = [];
        return undefined;
      case 'resetpass':
        this.flags &= ~UserFlag.NOPASS;
        this.passwords = [];
        return undefined;
      case 'clearselectors':
        this.selectors = [this.root];
        return undefined;
      case 'reset':
        this.setRule('resetpass');
        this.setRule('resetkeys');
        this.setRule('resetchannels');
        if (this.#allChannels) this.setRule('allchannels');
        this.setRule('off');
        this.setRule('sanitize-payload');
        this.setRule('clearselectors');
        this.setRule('-@all');
        return undefined;
      default:
        break;
    }
    const first = op[0];
    if (first === '>' || first === '#') {
      let hash: string;
      if (first === '>') hash = hashPassword(op.slice(1));
      else {
        hash = op.slice(1);
        if (!validHash(hash)) return 'EBADMSG';
      }
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.flags &= ~UserFlag.NOPASS;
      return undefined;
    }
    if (first === '<' || first === '!') {
      let hash: string;
      if (first === '<') hash = hashPassword(op.slice(1));
      else {
        hash = op.slice(1);
        if (!validHash(hash)) return 'EBADMSG';
      }
      const at = this.passwords.indexOf(hash);
      if (at < 0) return 'ENODEV';
      this.passwords.splice(at, 1);
      return undefined;
    }
    if (first === '(' && op[op.length - 1] === ')') {
      const selector = this.#newSelector(0);
      const args = splitSelectorArgs(op.slice(1, -1));
      for (const arg of args) {
        const error = selector.apply(arg);
        if (error) return error;
      }
      this.selectors.push(selector);
      return undefined;
    }
    return this.root.apply(op);
  }

  /** The user's rules as ACL LIST prints them after "user <name> " (ACLDescribeUser). */
  describe(): string {
    let out = '';
    for (const [flag, name] of FLAG_NAMES) if (this.flags & flag) out += `${name} `;
    for (const hash of this.passwords) out += `#${hash} `;
    for (const selector of this.selectors) {
      const text = selector.describe();
      out += selector.flags & SelectorFlag.ROOT ? text : ` (${text})`;
    }
    return out;
  }

  /** Flag names for ACL GETUSER. */
  flagNames(): string[] {
    const out: string[] = [];
    for (const [flag, name] of FLAG_NAMES) if (this.flags & flag) out.push(name);
    return out;
  }
}

/** sdssplitargs of a selector's inside; unbalanced quotes give no arguments (as in acl.c). */
function splitSelectorArgs(text: string): string[] {
  return splitArgs(Buffer.from(text, 'latin1')) ?? [];
}

/** Usernames may not contain spaces or NULs. */
export function validUsername(name: string): boolean {
  return !hasSpaces(name);
}
