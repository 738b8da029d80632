/**
 * `--bigkeys` and `--memkeys`: one pass of SCAN over the keyspace, the biggest key of each type
 * (by element count, or by MEMORY USAGE) and per-type totals, in redis-cli's words and layout.
 */
import { ErrorReply, type RespValue } from '@byor/protocol';
import { replyText } from '../format.js';
import { sleep } from '../io.js';
import { quoteBytes } from '../repr.js';
import type { Session } from '../session.js';
import { progressPercent, scanStep } from './scan-step.js';

/** What is known of each type: how to size it and what its unit is called. */
const TYPES: readonly { name: string; command: string; unit: string }[] = [
  { name: 'string', command: 'STRLEN', unit: 'bytes' },
  { name: 'list', command: 'LLEN', unit: 'items' },
  { name: 'set', command: 'SCARD', unit: 'members' },
  { name: 'zset', command: 'ZCARD', unit: 'members' },
  { name: 'hash', command: 'HLEN', unit: 'fields' },
  { name: 'stream', command: 'XLEN', unit: 'entries' },
];

interface TypeStats {
  name: string;
  command: string | undefined;
  unit: string;
  count: number;
  total: number;
  biggest: number;
  biggestKey: string | undefined;
}

/**
 * Runs `--bigkeys` (or `--memkeys` when `memory`) and resolves with the exit status.
 *
 * @example
 * ```ts
 * // byor-cli --bigkeys -i 0.1
 * ```
 */
export async function runKeysReport(session: Session, memory: boolean): Promise<number> {
  if (!(await session.connect())) return 1;
  const { options } = session;
  const connection = session.connection!;
  const out = session.out;
  const stats = new Map<string, TypeStats>();
  for (const type of TYPES) {
    stats.set(type.name, { ...type, count: 0, total: 0, biggest: 0, biggestKey: undefined });
  }
  try {
    const dbsize = await connection.send(['DBSIZE']);
    if (typeof dbsize !== 'number') {
      session.err.write(
        `Error: ${dbsize instanceof ErrorReply ? dbsize.message : 'DBSIZE failed'}\n`,
      );
      return 1;
    }
    out.write(
      '\n# Scanning the entire keyspace to find biggest keys as well as\n' +
        '# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n' +
        '# per 100 SCAN commands (not usually needed).\n\n',
    );
    let cursor = '0';
    let sampled = 0;
    let totalLength = 0;
    let loops = 0;
    do {
      const percent = dbsize === 0 ? 0 : (100 * sampled) / dbsize;
      const step = await scanStep(session, cursor);
      if (step === undefined) return 1;
      cursor = step.cursor;
      const keys = step.keys;
      const types = await connection.sendMany(keys.map((key) => ['TYPE', key]));
      const typeNames = types.map(replyText);
      const sizes = await connection.sendMany(
        keys.map((key, i) =>
          sizeCommand(key, typeNames[i]!, stats, memory, options.memkeysSamples),
        ),
      );
      for (let i = 0; i < keys.length; i++) {
        const typeName = typeNames[i]!;
        if (typeName === 'none') continue; // deleted between SCAN and TYPE
        let type = stats.get(typeName);
        if (type === undefined) {
          type = {
            name: typeName,
            command: undefined,
            unit: 'bytes',
            count: 0,
            total: 0,
            biggest: 0,
            biggestKey: undefined,
          };
          stats.set(typeName, type);
        }
        const size = sizeOf(sizes[i]!);
        const key = keys[i]!;
        type.total += size;
        type.count++;
        totalLength += key.length;
        sampled++;
        if (type.biggest < size) {
          type.biggestKey = quoteBytes(key);
          out.write(
            `[${progressPercent(percent)}%] Biggest ${type.name.padEnd(6)} found so far '${type.biggestKey}' ` +
              `with ${size} ${memory ? 'bytes' : type.unit}\n`,
          );
          type.biggest = size;
        }
        if (sampled % 1_000_000 === 0)
          out.write(`[${progressPercent(percent)}%] Sampled ${sampled} keys so far\n`);
      }
      loops++;
      if (options.interval > 0 && loops % 100 === 0) await sleep(options.interval * 1000);
    } while (cursor !== '0');

    let text = '\n-------- summary -------\n\n';
    text += `Sampled ${sampled} keys in the keyspace!\n`;
    text += `Total key length in bytes is ${totalLength} (avg len ${(sampled ? totalLength / sampled : 0).toFixed(2)})\n\n`;
    for (const type of stats.values()) {
      if (type.biggestKey === undefined) continue;
      text += `Biggest ${type.name.padStart(6)} found '${type.biggestKey}' has ${type.biggest} ${memory ? 'bytes' : type.unit}\n`;
    }
    text += '\n';
    for (const type of stats.values()) {
      const share = sampled ? (100 * type.count) / sampled : 0;
      const average = type.count ? type.total / type.count : 0;
      text += `${type.count} ${type.name}s with ${type.total} ${memory ? 'bytes' : type.unit} (${progressPercent(share)}% of keys, avg size ${average.toFixed(2)})\n`;
    }
    await out.writeAndDrain(text);
    return 0;
  } finally {
    session.close();
  }
}

function sizeCommand(
  key: string,
  type: string,
  stats: Map<string, TypeStats>,
  memory: boolean,
  samples: number | undefined,
): string[] {
  if (memory) {
    const argv = ['MEMORY', 'USAGE', key];
    if (samples !== undefined) argv.push('SAMPLES', String(samples));
    return argv;
  }
  const command = stats.get(type)?.command;
  // a type with no size command (a module type) is sized 0; PING keeps the pipeline aligned
  return command === undefined ? ['PING'] : [command, key];
}

function sizeOf(reply: RespValue): number {
  return typeof reply === 'number' ? reply : 0;
}
