import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { safeIntArg } from './args.js';

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: a port of redis-server 7's
 * lcsCommand, including the order in which it walks the table and emits ranges, so IDX replies
 * match byte for byte.
 */
export function lcsCommand(client: Client, argv: string[]): void {
  const server = client.server;
  const objA = client.db.lookupRead(argv[1] ?? '');
  const objB = client.db.lookupRead(argv[2] ?? '');
  if (
    (objA !== undefined && typeof objA !== 'string') ||
    (objB !== undefined && typeof objB !== 'string')
  ) {
    server.errorReply(client, 'ERR The specified keys must contain string values');
    return;
  }
  const a = objA ?? '';
  const b = objB ?? '';
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = (argv[j] ?? '').toUpperCase();
    const moreArgs = argv.length - 1 - j;
    if (opt === 'IDX') getIdx = true;
    else if (opt === 'LEN') getLen = true;
    else if (opt === 'WITHMATCHLEN') withMatchLen = true;
    else if (opt === 'MINMATCHLEN' && moreArgs > 0) {
      const value = safeIntArg(client, argv[j + 1] ?? '');
      if (value === undefined) return;
      minMatchLen = Math.max(0, value);
      j++;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (getIdx && getLen) {
    server.errorReply(client, 'ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > server.config.number('proto-max-bulk-len')) {
    server.errorReply(
      client,
      'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
    );
    return;
  }
  const table = new Uint32Array(cells);
  const width = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      table[i * width + j] =
        ca === b.charCodeAt(j - 1)
          ? (table[(i - 1) * width + j - 1] ?? 0) + 1
          : Math.max(table[(i - 1) * width + j] ?? 0, table[i * width + j - 1] ?? 0);
    }
  }
  const total = table[alen * width + blen] ?? 0;
  let idx = total;
  const result: string[] = new Array<string>(total);
  const ranges: [number, number, number, number, number][] = [];
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  const computeLcs = getIdx || !getLen;
  let i = alen;
  let j = blen;
  while (computeLcs && i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a[i - 1] ?? '';
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const up = table[(i - 1) * width + j] ?? 0;
      const left = table[i * width + j - 1] ?? 0;
      if (up > left) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (minMatchLen === 0 || matchLen >= minMatchLen)
        ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = alen;
    }
  }
  const w = client.w;
  if (getIdx) {
    w.mapHeader(2);
    w.bulk('matches');
    w.arrayHeader(ranges.length);
    for (const [as, ae, bs, be, len] of ranges) {
      w.arrayHeader(withMatchLen ? 3 : 2);
      w.arrayHeader(2);
      w.integer(as);
      w.integer(ae);
      w.arrayHeader(2);
      w.integer(bs);
      w.integer(be);
      if (withMatchLen) w.integer(len);
    }
    w.bulk('len');
    w.integer(total);
  } else if (getLen) {
    w.integer(idx);
  } else {
    w.bulk(result.join(''));
  }
}
