/**
 * Parsing replies and requests, timed by mitata through the shared runner: @byor/protocol's
 * ReplyParser against redis-parser (the parser of ioredis) and the RESP decoder of @redis/client
 * (node-redis), and RequestParser against a naive parser (no npm peer parses requests). Every
 * implementation parses the same bytes in the same process.
 */
import { compare, do_not_optimize } from './compare.js';
import { cases, check, last } from './implementations.js';

for (const testCase of cases) {
  check(testCase);
  const implementations: Record<string, () => void> = {};
  for (const [name, parse] of Object.entries(testCase.parsers)) {
    implementations[name] = () => {
      parse(testCase.chunks);
      do_not_optimize(last);
    };
  }
  compare(testCase.title, implementations, { opsPerCall: testCase.frames });
}
