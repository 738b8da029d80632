import type { CommandMeta, RespNode } from './spec.js';
import { CommandFlag, loadRedisCommandMeta, withSubcommands } from './spec.js';

/**
 * Metadata for commands byor has that redis-server 7.0 does not report: the book's ZQUERY, and
 * commands from later Redis versions that clients send (CLIENT SETINFO, from 7.2). Built in the
 * same shape as the captured COMMAND INFO / DOCS entries.
 */
interface Definition {
  name: string;
  arity: number;
  flags: string[];
  keys: [number, number, number];
  acl: string[];
  summary: string;
  since: string;
  group: string;
  complexity: string;
  arguments: { name: string; type: string; optional?: boolean; multiple?: boolean }[];
}

const bulk = (v: string): RespNode => ({ t: '$', v });
const status = (v: string): RespNode => ({ t: '+', v });
const integer = (v: number): RespNode => ({ t: ':', v });

function toMeta(definition: Definition, subcommands: CommandMeta[] = []): CommandMeta {
  const info: RespNode = {
    t: '*',
    v: [
      bulk(definition.name),
      integer(definition.arity),
      { t: '~', v: definition.flags.map(status) },
      integer(definition.keys[0]),
      integer(definition.keys[1]),
      integer(definition.keys[2]),
      { t: '~', v: definition.acl.map(status) },
      { t: '~', v: [] },
      { t: '*', v: [] },
      { t: '*', v: subcommands.map((sub) => sub.info) },
    ],
  };
  const docs: RespNode = {
    t: '%',
    v: [
      [bulk('summary'), bulk(definition.summary)],
      [bulk('since'), bulk(definition.since)],
      [bulk('group'), bulk(definition.group)],
      [bulk('complexity'), bulk(definition.complexity)],
      [
        bulk('arguments'),
        {
          t: '*',
          v: definition.arguments.map((arg) => ({
            t: '%',
            v: [
              [bulk('name'), bulk(arg.name)],
              [bulk('type'), bulk(arg.type)],
              ...(arg.optional || arg.multiple
                ? [
                    [
                      bulk('flags'),
                      {
                        t: '~',
                        v: [
                          ...(arg.optional ? [status('optional')] : []),
                          ...(arg.multiple ? [status('multiple')] : []),
                        ],
                      },
                    ] as const,
                  ]
                : []),
            ],
          })),
        },
      ],
    ],
  };
  const flagBits: Record<string, number> = {
    write: CommandFlag.WRITE,
    readonly: CommandFlag.READONLY,
    fast: CommandFlag.FAST,
    denyoom: CommandFlag.DENYOOM,
    noscript: CommandFlag.NOSCRIPT,
    loading: CommandFlag.LOADING,
    stale: CommandFlag.STALE,
  };
  return {
    name: definition.name,
    arity: definition.arity,
    flags: definition.flags.reduce((acc, f) => acc | (flagBits[f] ?? 0), 0),
    flagNames: definition.flags,
    firstKey: definition.keys[0],
    lastKey: definition.keys[1],
    step: definition.keys[2],
    info,
    docs: () => docs,
    subcommands,
  };
}

const BYOR_COMMAND_META: CommandMeta[] = [
  toMeta({
    name: 'zquery',
    arity: 6,
    flags: ['readonly'],
    keys: [1, 1, 1],
    acl: ['@read', '@sortedset', '@slow'],
    summary:
      "Returns members and scores starting at the first (score, member) pair >= the given one, after an offset (the book's ZQUERY)",
    since: '0.1.0',
    group: 'sorted_set',
    complexity: 'O(log(N)+M) with N the number of elements and M the number returned',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'score', type: 'double' },
      { name: 'member', type: 'string' },
      { name: 'offset', type: 'integer' },
      { name: 'limit', type: 'integer' },
    ],
  }),
];

/** Subcommands byor adds to a container command redis-server 7.0 already has (CLIENT SETINFO). */
const BYOR_SUBCOMMAND_META: CommandMeta[] = [
  toMeta({
    name: 'client|setinfo',
    arity: 4,
    flags: ['noscript', 'loading', 'stale'],
    keys: [0, 0, 0],
    acl: ['@slow', '@connection'],
    summary: 'Sets information specific to the client or connection.',
    since: '7.2.0',
    group: 'connection',
    complexity: 'O(1)',
    arguments: [
      { name: 'lib-name', type: 'string' },
      { name: 'lib-ver', type: 'string' },
    ],
  }),
];

let table: ReadonlyMap<string, CommandMeta> | undefined;

/**
 * The metadata of every command byor knows, by lower-case name: redis-server 7.0's, then byor's
 * own commands and subcommands. Built once per process and shared by every Server and the ACL
 * command table (it never changes). Each Server used to parse its own copy: 50 servers started
 * in one process (a test suite's `startServer`) took 89 MB of heap and 11-13 ms each, now 18 MB
 * and 4 ms (measured).
 */
export function commandMetaTable(): ReadonlyMap<string, CommandMeta> {
  if (table) return table;
  const metas = loadRedisCommandMeta();
  for (const meta of BYOR_COMMAND_META) metas.set(meta.name, meta);
  for (const sub of BYOR_SUBCOMMAND_META) {
    const parentName = sub.name.split('|')[0] ?? '';
    const parent = metas.get(parentName);
    if (parent) metas.set(parentName, withSubcommands(parent, [sub]));
  }
  table = metas;
  return metas;
}
