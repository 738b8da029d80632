import { RawClient } from './raw-client.js';

/**
 * Multi-connection scenarios run side by side on byor and redis-server: each step sends one command
 * on one connection, then everything every connection has received (replies and pushes) is
 * collected. The two transcripts must be byte-identical.
 */
export type Step = readonly [connection: number, ...command: string[]];

export async function transcript(
  port: number,
  connections: number,
  steps: readonly Step[],
  settleMs = 25,
): Promise<string[]> {
  const clients = await Promise.all(
    Array.from({ length: connections }, () => RawClient.connect(port)),
  );
  const out: string[] = [];
  try {
    await clients[0]?.call('FLUSHALL');
    for (const [index, ...command] of steps) {
      clients[index]?.sendOnly(...command);
      await clients[index]?.waitForReply();
      const received = await Promise.all(clients.map((client) => client.drain(settleMs)));
      out.push(
        `${index}> ${command.join(' ')}\n${received.map((r, i) => `  [${i}] ${JSON.stringify(r)}`).join('\n')}`,
      );
    }
  } finally {
    for (const client of clients) client.close();
  }
  return out;
}
