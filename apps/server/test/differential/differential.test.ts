import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyCases } from './keys.cases.js';
import { redisAvailable, runCases, startPair, type Pair } from './harness.js';
import { stringCases } from './strings.cases.js';

const groups = { strings: stringCases, keys: keyCases };

describe.skipIf(!redisAvailable)('differential: byor vs redis-server, byte for byte', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  for (const [group, cases] of Object.entries(groups)) {
    it(`${group}: ${cases.length} cases`, async () => {
      const { mismatches, commands } = await runCases(pair, cases);
      const report = mismatches
        .map(
          (m) =>
            `[${m.name}] ${m.command}\n  byor:  ${JSON.stringify(m.byor)}\n  redis: ${JSON.stringify(m.redis)}`,
        )
        .join('\n');
      expect(report, `${mismatches.length} of ${commands} replies differ`).toBe('');
    });
  }
});
