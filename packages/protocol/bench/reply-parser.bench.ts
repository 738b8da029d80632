/**
 * Parsing server replies: @byor/protocol's ReplyParser against redis-parser (ioredis's parser)
 * and the RESP decoder of @redis/client (node-redis), in one process, on the same bytes.
 * Every parser decodes strings as UTF-8 and produces every reply (checked once below).
 */
import { createRequire } from 'node:module';
import { compare, do_not_optimize } from './compare.js';
import { ReplyParser } from '../src/index.js';
import {
  arrayReplies,
  arrayRepliesCount,
  arrayReplyChunks,
  bulkReplies,
  bulkRepliesCount,
  integerReplies,
  integerRepliesCount,
  largeBulk,
  largeBulkChunks,
  mixedReplies,
  mixedRepliesCount,
} from './fixtures.js';

const require = createRequire(import.meta.url);
const RedisParser = require('redis-parser') as new (options: {
  returnReply(reply: unknown): void;
  returnError(error: unknown): void;
  returnFatalError?(error: unknown): void;
}) => { execute(buffer: Buffer): void };
const { Decoder } = require('@redis/client/dist/lib/RESP/decoder.js') as {
  Decoder: new (options: {
    onReply(reply: unknown): void;
    onErrorReply(error: unknown): void;
    onPush(push: unknown): void;
    getTypeMapping(): object;
  }) => { write(chunk: Buffer): void };
};

let replies = 0;
let last: unknown;
const count = (reply: unknown): void => {
  replies++;
  last = reply;
};

const ours = new ReplyParser();
const ioredis = new RedisParser({
  returnReply: count,
  returnError: count,
  returnFatalError: count,
});
const nodeRedis = new Decoder({
  onReply: count,
  onErrorReply: count,
  onPush: count,
  getTypeMapping: () => ({}),
});

/** drain(): replies pushed to a callback, as the two peers deliver them */
function parseOurs(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    ours.push(chunk);
    ours.drain(count);
  }
}

/** next(): replies pulled one at a time */
function parseOursNext(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    ours.push(chunk);
    for (let reply = ours.next(); reply !== undefined; reply = ours.next()) count(reply);
  }
}

function parseIoredis(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) ioredis.execute(chunk);
}

function parseNodeRedis(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) nodeRedis.write(chunk);
}

/** Each parser must produce `expected` replies from `chunks` (a guard against measuring nothing). */
function check(name: string, chunks: readonly Buffer[], expected: number): void {
  for (const [peer, parse] of [
    ['@byor/protocol', parseOurs],
    ['@byor/protocol next()', parseOursNext],
    ['redis-parser', parseIoredis],
    ['@redis/client', parseNodeRedis],
  ] as const) {
    replies = 0;
    parse(chunks);
    if (replies !== expected)
      throw new Error(`${name}: ${peer} produced ${replies} replies, not ${expected}`);
  }
}

const cases: [string, Buffer[], number][] = [
  ['replies: bulk strings (200 x 8-64 B)', [bulkReplies], bulkRepliesCount],
  ['replies: arrays (20 x 50 bulks)', [arrayReplies], arrayRepliesCount],
  ['replies: arrays in 1 KiB chunks', arrayReplyChunks, arrayRepliesCount],
  ['replies: integers (500)', [integerReplies], integerRepliesCount],
  ['replies: mixed (300)', [mixedReplies], mixedRepliesCount],
  ['replies: large bulk (1 MiB, one chunk)', [largeBulk], 1],
  ['replies: large bulk (1 MiB in 64 KiB chunks)', largeBulkChunks, 1],
];

for (const [title, chunks, expected] of cases) {
  check(title, chunks, expected);
  compare(
    title,
    {
      '@byor/protocol': () => {
        parseOurs(chunks);
        do_not_optimize(last);
      },
      '@byor/protocol next()': () => {
        parseOursNext(chunks);
        do_not_optimize(last);
      },
      'redis-parser': () => {
        parseIoredis(chunks);
        do_not_optimize(last);
      },
      '@redis/client': () => {
        parseNodeRedis(chunks);
        do_not_optimize(last);
      },
    },
    { opsPerCall: expected },
  );
}
