import type { DiffCase } from './harness.js';

/**
 * Introspection: MEMORY (the deterministic replies), LATENCY on an instance with monitoring off,
 * LOLWUT. DEBUG is disabled on the shared pair (enable-debug-command no): its cases run in
 * test/introspection.test.ts on a pair with DEBUG enabled.
 */
export const introspectionCases: DiffCase[] = [
  {
    name: 'memory subcommands: arity, purge, unknown',
    commands: [
      ['MEMORY', 'PURGE'],
      ['MEMORY', 'PURGE', 'x'],
      ['MEMORY', 'MALLOC-STATS', 'x'],
      ['MEMORY', 'DOCTOR', 'x'],
      ['MEMORY', 'STATS', 'x'],
      ['MEMORY', 'HELP'],
      ['MEMORY', 'nosuch'],
      ['MEMORY'],
    ],
  },
  {
    name: 'memory help in RESP3',
    resp: 3,
    commands: [
      ['MEMORY', 'HELP'],
      ['MEMORY', 'PURGE'],
    ],
  },
  {
    name: 'latency with monitoring disabled',
    commands: [
      ['LATENCY', 'LATEST'],
      ['LATENCY', 'HISTORY', 'command'],
      ['LATENCY', 'RESET'],
      ['LATENCY', 'RESET', 'command', 'fast-command'],
      ['LATENCY', 'GRAPH', 'command'],
      ['LATENCY', 'GRAPH', 'a\r\nb'],
      ['LATENCY', 'DOCTOR'],
      ['LATENCY', 'HELP'],
      ['LATENCY', 'GRAPH'],
      ['LATENCY', 'HISTORY'],
      ['LATENCY', 'nosuch'],
    ],
  },
  {
    name: 'latency histogram of commands never called',
    commands: [
      ['LATENCY', 'HISTOGRAM', 'nosuch', 'pfselftest', 'config|rewrite', 'config|nosuch'],
      ['LATENCY', 'HISTOGRAM', 'lolwut'],
    ],
  },
  {
    name: 'latency doctor and graph in RESP3 (verbatim strings)',
    resp: 3,
    commands: [
      ['LATENCY', 'DOCTOR'],
      ['LATENCY', 'GRAPH', 'command'],
      ['LATENCY', 'HISTOGRAM', 'nosuch'],
    ],
  },
  {
    name: 'lolwut: versions and arguments',
    commands: [
      ['LOLWUT'],
      ['LOLWUT', '1', '2', '3'],
      ['LOLWUT', 'VERSION', '7'],
      ['LOLWUT', 'VERSION', '7', 'x'],
      ['LOLWUT', 'version', '-1'],
      ['LOLWUT', 'VERSION', '0'],
      ['LOLWUT', 'VERSION', '50'],
      ['LOLWUT', 'VERSION', 'x'],
      ['LOLWUT', 'VERSION', '5', 'x'],
      ['LOLWUT', 'VERSION', '5', '1', 'y'],
      ['LOLWUT', 'VERSION', '5', '1', '1', '1'],
      ['LOLWUT', 'VERSION', '4294967301', '1', '1', '1'],
      ['LOLWUT', 'VERSION', '5', '0', '0', '0'],
      ['LOLWUT', 'VERSION', '5', '-5', '1', '1'],
      ['LOLWUT', 'VERSION', '5', '2', '1', '1'],
      ['LOLWUT', 'VERSION', '5', '3', '3', '1'],
      ['LOLWUT', 'VERSION', '5', '40', '4', '2'],
      ['LOLWUT', 'VERSION', '5', '66', '8', '2'],
      ['LOLWUT', 'VERSION'],
    ],
  },
  {
    name: 'lolwut in RESP3',
    resp: 3,
    commands: [
      ['LOLWUT'],
      ['LOLWUT', 'VERSION', '5', '1', '1', '1'],
      ['LOLWUT', 'VERSION', '5', '20', '2', '2'],
    ],
  },
  {
    name: 'debug disabled',
    commands: [['DEBUG', 'DIGEST'], ['DEBUG', 'HELP'], ['DEBUG']],
  },
];
