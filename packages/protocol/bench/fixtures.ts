/** Reply and request streams shared by the benchmarks: fixed seeds, so every run parses the same bytes. */

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function text(next: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(97 + Math.floor(next() * 26));
  return out;
}

export const bulk = (value: string): string => `$${Buffer.byteLength(value)}\r\n${value}\r\n`;

/** Splits a stream into chunks of `size` bytes (the last one shorter). */
export function chunked(stream: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
  return chunks;
}

const next = random(42);

/** 200 GET-like replies: bulk strings of 8 to 64 bytes. */
export const bulkReplies = Buffer.from(
  Array.from({ length: 200 }, () => bulk(text(next, 8 + Math.floor(next() * 57)))).join(''),
);
export const bulkRepliesCount = 200;

/** 20 LRANGE-like replies: arrays of 50 bulk strings of 4 to 32 bytes. */
export const arrayReplies = Buffer.from(
  Array.from(
    { length: 20 },
    () =>
      `*50\r\n${Array.from({ length: 50 }, () => bulk(text(next, 4 + Math.floor(next() * 29)))).join('')}`,
  ).join(''),
);
export const arrayRepliesCount = 20;

/** 500 INCR-like replies: integers up to 10^9, some negative. */
export const integerReplies = Buffer.from(
  Array.from({ length: 500 }, () => `:${Math.floor((next() - 0.1) * 1e9)}\r\n`).join(''),
);
export const integerRepliesCount = 500;

/** 300 replies of a mixed workload: +OK, :n, $bulk, $-1, -ERR, *2 (HMGET), *0. */
export const mixedReplies = Buffer.from(
  Array.from({ length: 300 }, (_, i) => {
    switch (i % 7) {
      case 0:
        return '+OK\r\n';
      case 1:
        return `:${Math.floor(next() * 1e6)}\r\n`;
      case 2:
        return bulk(text(next, 10 + Math.floor(next() * 90)));
      case 3:
        return '$-1\r\n';
      case 4:
        return '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
      case 5:
        return `*2\r\n${bulk(text(next, 12))}$-1\r\n`;
      default:
        return '*0\r\n';
    }
  }).join(''),
);
export const mixedRepliesCount = 300;

/** One 1 MiB bulk string reply, whole and in 64 KiB chunks (a GET of a large value). */
export const largeBulk = Buffer.from(bulk(text(next, 1024 * 1024)));
export const largeBulkChunks = chunked(largeBulk, 64 * 1024);

/** The array replies cut into 1 KiB chunks: replies straddle chunk boundaries. */
export const arrayReplyChunks = chunked(arrayReplies, 1024);

/** 200 pipelined commands as clients send them: SET k v, GET k, HSET h f v, INCR n. */
const commandList: string[][] = Array.from({ length: 200 }, (_, i) => {
  const key = `key:${text(next, 8)}`;
  switch (i % 4) {
    case 0:
      return ['SET', key, text(next, 16 + Math.floor(next() * 48))];
    case 1:
      return ['GET', key];
    case 2:
      return ['HSET', key, text(next, 8), text(next, 24)];
    default:
      return ['INCR', key];
  }
});
export const commands = Buffer.from(
  commandList.map((args) => `*${args.length}\r\n${args.map(bulk).join('')}`).join(''),
);
export const commandsCount = commandList.length;
export const commandChunks = chunked(commands, 1024);
/** The same commands as inline lines. */
export const inlineCommands = Buffer.from(
  commandList.map((args) => args.join(' ') + '\r\n').join(''),
);
