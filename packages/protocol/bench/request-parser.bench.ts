/**
 * Parsing client commands: @byor/protocol's RequestParser. Neither redis-parser nor @redis/client
 * parses requests, so the peer is the straightforward parser a server is first written with
 * (read whole lines with indexOf, split inline commands with a regular expression, concatenate
 * chunks with Buffer.concat), in `naive-request-parser.ts`.
 */
import { RequestParser } from '../src/index.js';
import { compare, do_not_optimize } from './compare.js';
import { commandChunks, commands, commandsCount, inlineCommands } from './fixtures.js';
import { NaiveRequestParser } from './naive-request-parser.js';

const ours = new RequestParser();
const naive = new NaiveRequestParser();
let last: string[] | undefined;
let parsed = 0;

function parseOurs(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    ours.push(chunk);
    for (let command = ours.next(); command !== undefined; command = ours.next()) {
      last = command;
      parsed++;
    }
  }
}

function parseNaive(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    naive.push(chunk);
    for (let command = naive.next(); command !== undefined; command = naive.next()) {
      last = command;
      parsed++;
    }
  }
}

const cases: [string, Buffer[]][] = [
  ['requests: multibulk (200 pipelined)', [commands]],
  ['requests: multibulk in 1 KiB chunks', commandChunks],
  ['requests: inline (200 pipelined)', [inlineCommands]],
];

for (const [title, chunks] of cases) {
  for (const parse of [parseOurs, parseNaive]) {
    parsed = 0;
    parse(chunks);
    if (parsed !== commandsCount) throw new Error(`${title}: ${parse.name} parsed ${parsed}`);
  }
  compare(
    title,
    {
      '@byor/protocol': () => {
        parseOurs(chunks);
        do_not_optimize(last);
      },
      'naive (indexOf + split)': () => {
        parseNaive(chunks);
        do_not_optimize(last);
      },
    },
    { opsPerCall: commandsCount },
  );
}
