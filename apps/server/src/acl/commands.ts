import type { CommandMeta, RespNode } from '../commands/spec.js';
import { commandMetaTable } from '../commands/byor-meta.js';

/**
 * The command universe ACL rules speak about: every command and subcommand redis-server 7.0
 * knows (plus byor's own), each with a numeric id (a bit of a selector's command bitmap) and its
 * ACL categories, as acl.c's ACLCommandCategories / ACLSetSelectorCommandBitsForCategory see
 * them. Built once per process from the captured COMMAND INFO metadata.
 */

/** ACL categories in redis-server 7.0's order (ACL CAT lists them in it; bit i is category i). */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
] as const;

/** One ACL category name. */
export type AclCategory = (typeof ACL_CATEGORIES)[number];

/** A command or subcommand as ACL rules see it. */
export interface AclCommand {
  /** the bit of this command in a selector's bitmap */
  readonly id: number;
  /** lower-case full name: "get", "config|get" */
  readonly name: string;
  /** bitmask of ACL_CATEGORIES indexes */
  readonly categories: number;
  readonly meta: CommandMeta;
  readonly parent: AclCommand | undefined;
  readonly subcommands: readonly AclCommand[];
}

/**
 * Every command with its id. `size` ids are in use; selectors keep one more bit, `size`, for
 * "commands added later" (acl.c's USER_COMMAND_BITS_COUNT-1 reserved bit, set only by +@all).
 */
export class AclCommandTable {
  /** top-level commands, in the captured metadata's order */
  readonly commands: readonly AclCommand[];
  /** every command and subcommand by id */
  readonly byId: readonly AclCommand[];
  readonly #byName = new Map<string, AclCommand>();

  constructor(metas: Iterable<CommandMeta>) {
    const byId: AclCommand[] = [];
    const top: AclCommand[] = [];
    const build = (meta: CommandMeta, parent: AclCommand | undefined): AclCommand => {
      const subcommands: AclCommand[] = [];
      const command: AclCommand = {
        id: byId.length,
        name: meta.name,
        categories: categoryMask(meta.info),
        meta,
        parent,
        subcommands,
      };
      byId.push(command);
      this.#byName.set(meta.name, command);
      for (const sub of meta.subcommands) subcommands.push(build(sub, command));
      return command;
    };
    for (const meta of metas) top.push(build(meta, undefined));
    this.commands = top;
    this.byId = byId;
  }

  /** Number of ids in use (the "future commands" bit is this index). */
  get size(): number {
    return this.byId.length;
  }

  /** A command by full name, any case ("GET", "config|get"); undefined when unknown. O(1). */
  lookup(name: string): AclCommand | undefined {
    return this.#byName.get(name) ?? this.#byName.get(name.toLowerCase());
  }
}

/** The bit of a category name (any case), or -1. */
export function categoryIndex(name: string): number {
  return (ACL_CATEGORIES as readonly string[]).indexOf(name.toLowerCase());
}

function categoryMask(info: RespNode): number {
  if (info.t !== '*') return 0;
  const list = info.v[6];
  if (!list || (list.t !== '~' && list.t !== '*')) return 0;
  let mask = 0;
  for (const item of list.v) {
    if (item.t !== '+' && item.t !== '$') continue;
    const index = categoryIndex(item.v.replace(/^@/, ''));
    if (index >= 0) mask |= 1 << index;
  }
  return mask;
}

let shared: AclCommandTable | undefined;

/** The process-wide table (the metadata never changes at run time). */
export function aclCommandTable(): AclCommandTable {
  shared ??= new AclCommandTable(commandMetaTable().values());
  return shared;
}
