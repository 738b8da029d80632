/** Why ACL LOG recorded an entry (acl.c's ACL_DENIED_* as ACL LOG names them). */
export type AclLogReason = 'command' | 'key' | 'channel' | 'auth';

/** Where the denied command ran. */
export type AclLogContext = 'toplevel' | 'multi' | 'lua';

/** One ACL LOG entry. */
export interface AclLogEntry {
  count: number;
  readonly reason: AclLogReason;
  readonly context: AclLogContext;
  readonly object: string;
  readonly username: string;
  /** ms timestamp of the last occurrence */
  time: number;
  /** CLIENT INFO of the client, at the last occurrence */
  clientInfo: string;
}

/** Entries within this many ms of each other with the same fields are counted as one. */
const GROUPING_MS = 60000;

/**
 * The security log (ACL LOG): newest first, similar entries of the last minute merged into one
 * with a count, at most `acllog-max-len` entries.
 *
 * @example
 * ```ts
 * const log = new AclLog();
 * log.add({ reason: 'auth', context: 'toplevel', object: 'AUTH', username: 'x', time: Date.now(), clientInfo: '' }, 128);
 * log.entries[0]?.count; // 1
 * ```
 */
export class AclLog {
  readonly entries: AclLogEntry[] = [];

  /** Adds an entry (or bumps a matching recent one). O(1): at most 10 entries are scanned. */
  add(entry: Omit<AclLogEntry, 'count'>, maxLength: number): void {
    const entries = this.entries;
    const scan = Math.min(10, entries.length);
    for (let i = 0; i < scan; i++) {
      const current = entries[i] as AclLogEntry;
      if (
        current.reason === entry.reason &&
        current.context === entry.context &&
        entry.time - current.time <= GROUPING_MS &&
        current.object === entry.object &&
        current.username === entry.username
      ) {
        current.count++;
        current.time = entry.time;
        current.clientInfo = entry.clientInfo;
        entries.splice(i, 1);
        entries.unshift(current);
        return;
      }
    }
    entries.unshift({ count: 1, ...entry });
    if (entries.length > maxLength) entries.length = Math.max(0, maxLength);
  }

  reset(): void {
    this.entries.length = 0;
  }
}
