/**
 * `--scan [--pattern p] [--count n]`: every key, with SCAN (never blocking the server as KEYS
 * would), one per line: quoted in the standard format, raw bytes otherwise.
 */
import { OutputFormats } from '../format.js';
import { sleep } from '../io.js';
import { quoteBytes } from '../repr.js';
import type { Session } from '../session.js';
import { scanStep } from './scan-step.js';

/**
 * Runs `--scan` and resolves with the exit status (1 if SCAN fails).
 *
 * @example
 * ```ts
 * // byor-cli --scan --pattern 'user:*'
 * ```
 */
export async function runScan(session: Session): Promise<number> {
  if (!(await session.connect())) return 1;
  const { options } = session;
  const quote = session.format === OutputFormats.STANDARD;
  let cursor = '0';
  try {
    do {
      const step = await scanStep(session, cursor, true);
      if (step === undefined) return 1;
      cursor = step.cursor;
      let text = '';
      for (const key of step.keys) text += (quote ? quoteBytes(key) : key) + '\n';
      await session.out.writeAndDrain(text);
      if (options.interval > 0 && cursor !== '0') await sleep(options.interval * 1000);
    } while (cursor !== '0');
    return 0;
  } finally {
    session.close();
  }
}
