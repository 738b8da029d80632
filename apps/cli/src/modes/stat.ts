/**
 * `--stat`: a line of server figures every second (or `-i`) from INFO, in redis-cli's columns:
 * keys, memory, clients, blocked clients, requests (and the increase since the last line),
 * connections, and the child process at work (SAVE, AOF, LOAD).
 */
import { ErrorReply } from '@byor/protocol';
import { sleep } from '../io.js';
import type { Session } from '../session.js';

const HEADER =
  '------- data ------ --------------------- load -------------------- - child -\n' +
  'keys       mem      clients blocked requests            connections          \n';

/**
 * A field of INFO text, as redis-cli's `getLongInfoField` reads it: `used_memory` in
 * `used_memory:1024`, and `db0:keys` in `db0:keys=3,expires=0`. Undefined when absent. O(n).
 *
 * @example
 * ```ts
 * infoField('# Keyspace\r\ndb0:keys=3,expires=0\r\n', 'db0:keys'); // 3
 * ```
 */
export function infoField(info: string, field: string): number | undefined {
  let at = info.indexOf(field);
  while (at > 0 && info[at - 1] !== '\n' && info[at - 1] !== ',') at = info.indexOf(field, at + 1);
  if (at === -1) return undefined;
  const start = at + field.length + 1;
  let end = start;
  while (end < info.length && info[end] !== ',' && info[end] !== '\r' && info[end] !== '\n') end++;
  const value = Number.parseInt(info.slice(start, end), 10);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Bytes as redis-cli's `bytesToHuman` writes them: `512B`, `1.50K`, `2.00M`, `1.00G`. O(1).
 *
 * @example
 * ```ts
 * bytesToHuman(1536); // '1.50K'
 * ```
 */
export function bytesToHuman(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let n = Math.abs(bytes);
  if (n < 1024) return `${sign}${n}B`;
  for (const unit of ['K', 'M', 'G', 'T', 'P']) {
    n /= 1024;
    if (n < 1024 || unit === 'P') return `${sign}${n.toFixed(2)}${unit}`;
  }
  return `${sign}${n.toFixed(2)}P`;
}

/** One line of --stat from INFO text and the previous request count. */
export function statLine(info: string, previousRequests: number | undefined): string {
  let keys = 0;
  for (let db = 0; db < 20; db++) keys += infoField(info, `db${db}:keys`) ?? 0;
  const requests = infoField(info, 'total_commands_processed') ?? 0;
  const delta = previousRequests === undefined ? 0 : requests - previousRequests;
  let text = String(keys).padEnd(11);
  text += bytesToHuman(infoField(info, 'used_memory') ?? 0).padEnd(8);
  text += ' ' + String(infoField(info, 'connected_clients') ?? 0).padEnd(8);
  text += String(infoField(info, 'blocked_clients') ?? 0).padEnd(8);
  text += `${requests} (+${delta})`.padEnd(19);
  text += ' ' + String(infoField(info, 'total_connections_received') ?? 0).padEnd(12);
  const child =
    (infoField(info, 'rdb_bgsave_in_progress') ?? infoField(info, 'bgsave_in_progress') ?? 0) |
    ((infoField(info, 'aof_rewrite_in_progress') ?? 0) << 1) |
    ((infoField(info, 'loading') ?? 0) << 2);
  text += ['', 'SAVE', 'AOF', 'SAVE+AOF', 'LOAD'][child] ?? '';
  return text + '\n';
}

/**
 * Runs `--stat` until Ctrl-C and resolves with the exit status.
 *
 * @example
 * ```ts
 * // byor-cli --stat -i 2
 * ```
 */
export async function runStat(session: Session): Promise<number> {
  if (!(await session.connect())) return 1;
  const interval = session.options.interval > 0 ? session.options.interval * 1000 : 1000;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  let previous: number | undefined;
  try {
    for (let lines = 0; !stop.signal.aborted; lines++) {
      if (session.connection === undefined && !(await session.connect(true))) {
        await sleep(1000, stop.signal);
        continue;
      }
      let reply;
      try {
        reply = await session.connection!.send(['INFO']);
      } catch {
        continue;
      }
      if (reply instanceof ErrorReply || typeof reply !== 'string') {
        session.err.write(
          `ERROR: ${reply instanceof ErrorReply ? reply.message : 'INFO failed'}\n`,
        );
        return 1;
      }
      let text = lines % 20 === 0 ? HEADER : '';
      text += statLine(reply, previous);
      previous = infoField(reply, 'total_commands_processed') ?? 0;
      await session.out.writeAndDrain(text);
      await sleep(interval, stop.signal);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    session.close();
  }
}
