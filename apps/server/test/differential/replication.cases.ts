import type { DiffCase } from './harness.js';

/** A standalone server with no replicas, cluster or modules: ROLE, WAIT, REPLICAOF NO ONE ... */
export const replicationCases: DiffCase[] = [
  {
    name: 'role and wait',
    commands: [
      ['ROLE'],
      ['ROLE', 'x'],
      ['WAIT', '0', '0'],
      ['WAIT', '1', '5'],
      ['WAIT', '-1', '0'],
      ['WAIT', 'x', '0'],
      ['WAIT', '0', 'x'],
      ['WAIT', '0', '-1'],
      ['WAIT', '1', '-1'],
      ['WAIT', '0', '1.5'],
      ['WAIT', '0'],
    ],
  },
  {
    name: 'wait inside a transaction answers at once',
    commands: [['MULTI'], ['WAIT', '1', '0'], ['EXEC']],
  },
  {
    name: 'replicaof no one, failover, replconf',
    commands: [
      ['REPLICAOF', 'NO', 'ONE'],
      ['SLAVEOF', 'no', 'one'],
      ['REPLICAOF', 'localhost', 'x'],
      ['REPLICAOF', 'localhost', '70000'],
      ['REPLICAOF', 'a'],
      ['FAILOVER'],
      ['FAILOVER', 'ABORT'],
      ['FAILOVER', 'TO', 'h', '1'],
      ['REPLCONF', 'listening-port', '1'],
      ['REPLCONF', 'foo'],
    ],
  },
  {
    // (ACK and GETACK have no reply; PSYNC with a valid offset starts a sync: not here)
    name: 'replconf options and a psync with a bad offset',
    commands: [
      ['REPLCONF', 'listening-port', 'x'],
      ['REPLCONF', 'listening-port', '-1'],
      ['REPLCONF', 'ip-address', '10.0.0.1'],
      ['REPLCONF', 'ip-address', 'a'.repeat(255)],
      ['REPLCONF', 'ip-address', 'a'.repeat(256)],
      ['REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', 'other'],
      ['REPLCONF', 'rdb-only', '1'],
      ['REPLCONF', 'rdb-only', '2'],
      ['REPLCONF', 'rdb-only', 'x'],
      ['REPLCONF', 'rdb-filter-only', 'functions'],
      ['REPLCONF', 'rdb-filter-only', ''],
      ['REPLCONF', 'rdb-filter-only', 'keys'],
      ['REPLCONF', 'listening-port', '1', 'foo', 'bar'],
      ['REPLCONF', 'capa', 'eof', 'listening-port'],
      ['PSYNC', '?', 'x'],
      ['PSYNC', '?', '99999999999999999999'],
      ['REPLCONF'],
    ],
  },
  {
    name: 'cluster commands with cluster support disabled',
    commands: [
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'HELP'],
      ['CLUSTER', 'SLOTS'],
      ['CLUSTER', 'KEYSLOT', 'k'],
      ['CLUSTER', 'FOO'],
      ['CLUSTER'],
      ['READONLY'],
      ['READWRITE'],
      ['ASKING'],
    ],
  },
  {
    name: 'modules',
    commands: [
      ['MODULE', 'LIST'],
      ['MODULE', 'HELP'],
      ['MODULE', 'LOAD', '/nonexistent.so'],
      ['MODULE', 'LOADEX', '/nonexistent.so'],
      ['MODULE', 'UNLOAD', 'x'],
      ['MODULE', 'FOO'],
    ],
  },
];
