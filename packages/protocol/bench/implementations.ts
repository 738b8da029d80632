/**
 * The implementations the benchmarks compare, on the cases of fixtures.ts. Every reply parser
 * decodes strings as UTF-8 and delivers every reply to the same counter; `check()` verifies that
 * each one produces the expected number of frames before anything is timed.
 */
import { createRequire } from 'node:module';
import { ReplyParser, RequestParser } from '../src/index.js';
import * as fixtures from './fixtures.js';
import { NaiveRequestParser } from './naive-request-parser.js';

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

let frames = 0;
/** the last frame produced, for do_not_optimize */
export let last: unknown;
const count = (frame: unknown): void => {
  frames++;
  last = frame;
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
const requests = new RequestParser();
const naive = new NaiveRequestParser();

export type Parse = (chunks: readonly Buffer[]) => void;

/** Reply parsers: ours through drain() (a callback, as the peers deliver replies) and next(). */
export const replyParsers: Record<string, Parse> = {
  '@byor/protocol': (chunks) => {
    for (const chunk of chunks) {
      ours.push(chunk);
      ours.drain(count);
    }
  },
  '@byor/protocol next()': (chunks) => {
    for (const chunk of chunks) {
      ours.push(chunk);
      for (let reply = ours.next(); reply !== undefined; reply = ours.next()) count(reply);
    }
  },
  'redis-parser': (chunks) => {
    for (const chunk of chunks) ioredis.execute(chunk);
  },
  '@redis/client': (chunks) => {
    for (const chunk of chunks) nodeRedis.write(chunk);
  },
};

/** Request parsers: ours and the naive one of naive-request-parser.ts. */
export const requestParsers: Record<string, Parse> = {
  '@byor/protocol': (chunks) => {
    for (const chunk of chunks) {
      requests.push(chunk);
      for (let command = requests.next(); command !== undefined; command = requests.next()) {
        count(command);
      }
    }
  },
  'naive (indexOf + split)': (chunks) => {
    for (const chunk of chunks) {
      naive.push(chunk);
      for (let command = naive.next(); command !== undefined; command = naive.next()) {
        count(command);
      }
    }
  },
};

export interface Case {
  title: string;
  chunks: Buffer[];
  /** frames in the chunks */
  frames: number;
  parsers: Record<string, Parse>;
}

export const cases: Case[] = [
  ['replies: bulk strings (200 x 8-64 B)', [fixtures.bulkReplies], fixtures.bulkRepliesCount],
  ['replies: arrays (20 x 50 bulks)', [fixtures.arrayReplies], fixtures.arrayRepliesCount],
  ['replies: arrays in 1 KiB chunks', fixtures.arrayReplyChunks, fixtures.arrayRepliesCount],
  ['replies: integers (500)', [fixtures.integerReplies], fixtures.integerRepliesCount],
  ['replies: mixed (300)', [fixtures.mixedReplies], fixtures.mixedRepliesCount],
  ['replies: large bulk (1 MiB, one chunk)', [fixtures.largeBulk], 1],
  ['replies: large bulk (1 MiB in 64 KiB chunks)', fixtures.largeBulkChunks, 1],
]
  .map(([title, chunks, frames]) => ({
    title: title as string,
    chunks: chunks as Buffer[],
    frames: frames as number,
    parsers: replyParsers,
  }))
  .concat(
    [
      ['requests: multibulk (200 pipelined)', [fixtures.commands]],
      ['requests: multibulk in 1 KiB chunks', fixtures.commandChunks],
      ['requests: inline (200 pipelined)', [fixtures.inlineCommands]],
    ].map(([title, chunks]) => ({
      title: title as string,
      chunks: chunks as Buffer[],
      frames: fixtures.commandsCount,
      parsers: requestParsers,
    })),
  );

/** Throws unless every parser produces the case's frames (a guard against timing nothing). */
export function check(testCase: Case): void {
  for (const [name, parse] of Object.entries(testCase.parsers)) {
    frames = 0;
    parse(testCase.chunks);
    if (frames !== testCase.frames) {
      throw new Error(
        `${testCase.title}: ${name} produced ${frames} frames, not ${testCase.frames}`,
      );
    }
  }
}
