/**
 * `--scan [--pattern p] [--count n]`: every key, with SCAN (never blocking the server as KEYS
 * would), one per line: quoted in the standard format, raw bytes otherwise.
 */
import { ErrorReply } from '@byor/protocol';
import { OutputFormats, replyText } from '../format.js';
import { sleep } from '../io.js';
import { quoteBytes } from '../repr.js';
import type { Session } from '../session.js';

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
      const argv = ['SCAN', cursor, 'MATCH', options.pattern];
      if (options.count !== undefined) argv.push('COUNT', String(options.count));
      const reply = await session.connection!.send(argv);
      if (reply instanceof ErrorReply || !Array.isArray(reply) || !Array.isArray(reply[1])) {
        session.err.write(
          `Error: ${reply instanceof ErrorReply ? reply.message : 'unexpected SCAN reply'}\n`,
        );
        return 1;
      }
      cursor = replyText(reply[0]!);
      let text = '';
      for (const key of reply[1])
        text += (quote ? quoteBytes(replyText(key)) : replyText(key)) + '\n';
      await session.out.writeAndDrain(text);
      if (options.interval > 0 && cursor !== '0') await sleep(options.interval * 1000);
    } while (cursor !== '0');
    return 0;
  } finally {
    session.close();
  }
}
