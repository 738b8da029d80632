/**
 * `--hotkeys`: one pass of SCAN over the keyspace, OBJECT FREQ of every key (an LFU
 * maxmemory-policy counts accesses), the sixteen most used keys, in redis-cli's words and layout.
 */
import { ErrorReply } from '@byor/protocol';
import { sleep } from '../io.js';
import { quoteBytes } from '../repr.js';
import type { Session } from '../session.js';
import { progressPercent, scanStep } from './scan-step.js';

/** redis-cli's HOTKEYS_SAMPLE: how many keys the report keeps. */
const HOTKEYS_SAMPLE = 16;

/**
 * Runs `--hotkeys` and resolves with the exit status (1 when the server does not count accesses:
 * OBJECT FREQ needs an LFU policy).
 *
 * @example
 * ```ts
 * // byor-cli --hotkeys -i 0.1
 * ```
 */
export async function runHotKeys(session: Session): Promise<number> {
  if (!(await session.connect())) return 1;
  const { options } = session;
  const connection = session.connection!;
  const out = session.out;
  try {
    const dbsize = await connection.send(['DBSIZE']);
    const total = typeof dbsize === 'number' ? dbsize : 0;
    out.write(
      '\n# Scanning the entire keyspace to find hot keys as well as\n' +
        '# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n' +
        '# per 100 SCAN commands (not usually needed).\n\n',
    );
    // counters[0] is the coldest of the kept keys (redis-cli's eviction-pool order)
    const counters = new Array<number>(HOTKEYS_SAMPLE).fill(0);
    const hotkeys = new Array<string>(HOTKEYS_SAMPLE).fill('');
    let cursor = '0';
    let sampled = 0;
    let loops = 0;
    do {
      const percent = (100 * sampled) / total;
      const step = await scanStep(session, cursor);
      if (step === undefined) return 1;
      loops++;
      cursor = step.cursor;
      const keys = step.keys;
      const freqs = await connection.sendMany(keys.map((key) => ['OBJECT', 'FREQ', key]));
      for (let i = 0; i < keys.length; i++) {
        const freq = freqs[i];
        if (freq instanceof ErrorReply) {
          await out.writeAndDrain('');
          session.err.write(`Error: ${freq.message}\n`);
          return 1;
        }
        if (typeof freq !== 'number') {
          session.err.write(
            `Warning: ${quoteBytes(keys[i]!)} received an unexpected type (${typeCode(freq)})\n`,
          );
          continue;
        }
        sampled++;
        if (sampled % 1_000_000 === 0)
          out.write(`[${progressPercent(percent)}%] Sampled ${sampled} keys so far\n`);
        let k = 0;
        while (k < HOTKEYS_SAMPLE && freq > counters[k]!) k++;
        if (k === 0) continue;
        k--;
        if (k !== 0 && counters[k] !== 0) {
          // the coldest leaves, the colder ones move down
          counters.copyWithin(0, 1, k + 1);
          hotkeys.copyWithin(0, 1, k + 1);
        }
        counters[k] = freq;
        hotkeys[k] = quoteBytes(keys[i]!);
        out.write(
          `[${progressPercent(percent)}%] Hot key '${hotkeys[k]}' found so far with counter ${freq}\n`,
        );
      }
      if (options.interval > 0 && loops % 100 === 0) await sleep(options.interval * 1000);
    } while (cursor !== '0');
    let text = '\n-------- summary -------\n\n';
    text += `Sampled ${sampled} keys in the keyspace!\n`;
    for (let k = HOTKEYS_SAMPLE - 1; k >= 0; k--) {
      if (counters[k]! > 0)
        text += `hot key found with counter: ${counters[k]}\tkeyname: ${hotkeys[k]}\n`;
    }
    await out.writeAndDrain(text);
    return 0;
  } finally {
    session.close();
  }
}

/** hiredis's reply type codes, as redis-cli's warning names them. */
function typeCode(reply: unknown): number {
  if (typeof reply === 'string') return 1;
  if (Array.isArray(reply)) return 2;
  if (reply === null) return 4;
  return 5;
}
