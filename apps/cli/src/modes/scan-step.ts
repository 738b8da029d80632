/** What the key modes (--scan, --bigkeys, --memkeys, --hotkeys) share: a SCAN call, a percentage. */
import { ErrorReply } from '@byor/protocol';
import { replyText } from '../format.js';
import type { Session } from '../session.js';

/**
 * Sends SCAN from `cursor` with the session's --pattern and --count and resolves with the next
 * cursor and the keys, or undefined once redis-cli's error line is written. `alwaysMatch`: MATCH
 * even for `*` (--scan sends it, the reports only for another pattern, as redis-cli).
 */
export async function scanStep(
  session: Session,
  cursor: string,
  alwaysMatch = false,
): Promise<{ cursor: string; keys: string[] } | undefined> {
  const { options } = session;
  const argv = ['SCAN', cursor];
  if (alwaysMatch || options.pattern !== '*') argv.push('MATCH', options.pattern);
  if (options.count !== undefined) argv.push('COUNT', String(options.count));
  const reply = await session.connection!.send(argv);
  if (!Array.isArray(reply) || !Array.isArray(reply[1])) {
    session.err.write(
      `Error: ${reply instanceof ErrorReply ? reply.message : 'unexpected SCAN reply'}\n`,
    );
    return undefined;
  }
  return { cursor: replyText(reply[0]!), keys: reply[1].map(replyText) };
}

/**
 * C's `%05.2f` of the progress lines (a NaN, keys found in a database DBSIZE said was empty, as
 * glibc prints it).
 */
export function progressPercent(value: number): string {
  return Number.isNaN(value) ? '  nan' : value.toFixed(2).padStart(5, '0');
}
