import {
  AttributedValue,
  ErrorReply,
  ReplyParser,
  formatDouble,
  type RespValue,
} from '@byor/protocol';
import fc from 'fast-check';

/** A reply as the bytes a server sends (latin1), and whether it is an error reply. */
export interface GeneratedReply {
  bytes: string;
  isError: boolean;
}

export interface ReplyArbitraryOptions {
  /** RESP3 types (maps, sets, doubles, booleans, verbatim strings, null) */
  resp3?: boolean;
  /** types redis-cli 7.0 cannot print: attributes, big numbers, bulk errors, pushes, inf/nan */
  attributes?: boolean;
  /** deepest nesting (default 3) */
  depth?: number;
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Any bytes. */
const blob = fc.uint8Array({ maxLength: 24 }).map(latin1);
/** Bytes of a one-line reply: no CR, LF or NUL (redis-cli prints status and errors as C strings). */
const line = fc
  .uint8Array({ maxLength: 16 })
  .map((bytes) => latin1(bytes.filter((b) => b !== 13 && b !== 10 && b !== 0)));

const bulk = (text: string): string => `$${text.length}\r\n${text}\r\n`;

/**
 * Replies with known bytes, for the reply counter and for comparing byor-cli with redis-cli.
 * Set members and map keys are distinct scalars (a real server sends no duplicates, and a
 * JavaScript Map or Set would fold them).
 */
export function arbitraryReply(options: ReplyArbitraryOptions = {}): fc.Arbitrary<GeneratedReply> {
  const resp3 = options.resp3 ?? false;
  const exotic = options.attributes ?? false;

  const scalars: fc.Arbitrary<string>[] = [
    line.map((text) => `+${text}\r\n`),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => `:${n}\r\n`),
    fc.integer({ min: -1000, max: 1000 }).map((n) => `:${n}\r\n`),
    blob.map(bulk),
  ];
  if (resp3) {
    scalars.push(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => `,${formatDouble(x)}\r\n`),
      fc.boolean().map((b) => `#${b ? 't' : 'f'}\r\n`),
      blob.map((text) => `=${text.length + 4}\r\ntxt:${text}\r\n`),
    );
  }
  if (exotic) {
    scalars.push(
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => `(${n}\r\n`),
      fc.constantFrom(',inf\r\n', ',-inf\r\n', ',nan\r\n'),
    );
  }
  const scalar = fc.oneof(...scalars);
  const nulls = fc.constantFrom(
    ...(resp3 ? ['$-1\r\n', '*-1\r\n', '_\r\n'] : ['$-1\r\n', '*-1\r\n']),
  );
  const errors = exotic
    ? fc.oneof(
        line.map((text) => `-ERR ${text}\r\n`),
        blob.map((text) => `!${text.length + 4}\r\nERR ${text}\r\n`),
      )
    : line.map((text) => `-ERR ${text}\r\n`);
  const distinct = (max: number): fc.Arbitrary<string[]> =>
    fc.uniqueArray(scalar, { maxLength: max });

  const { value } = fc.letrec<{ value: string }>((tie) => {
    const aggregates: fc.Arbitrary<string>[] = [
      fc
        .array(tie('value'), { maxLength: 4 })
        .map((items) => `*${items.length}\r\n${items.join('')}`),
    ];
    if (resp3) {
      aggregates.push(
        distinct(4).map((items) => `~${items.length}\r\n${items.join('')}`),
        distinct(3).chain((keys) =>
          fc
            .array(tie('value'), { minLength: keys.length, maxLength: keys.length })
            .map(
              (values) => `%${keys.length}\r\n${keys.map((key, i) => key + values[i]!).join('')}`,
            ),
        ),
      );
    }
    if (exotic) {
      aggregates.push(
        fc
          .array(tie('value'), { maxLength: 3 })
          .map((items) => `>${items.length}\r\n${items.join('')}`),
        fc
          .tuple(distinct(2), tie('value'))
          .map(
            ([keys, item]) =>
              `|${keys.length}\r\n${keys.map((key) => key + ':1\r\n').join('')}${item}`,
          ),
      );
    }
    return {
      value: fc.oneof(
        { depthSize: 'small', maxDepth: options.depth ?? 3, withCrossShrink: true },
        scalar,
        nulls,
        errors,
        ...aggregates,
      ),
    };
  });
  return value.map((bytes) => ({ bytes, isError: isErrorReply(bytes) }));
}

/** Whether the reply (attributes aside) is an error, as a client sees it. */
function isErrorReply(bytes: string): boolean {
  const parser = new ReplyParser({ encoding: 'latin1' });
  parser.push(Buffer.from(bytes, 'latin1'));
  let reply: RespValue | undefined = parser.next();
  while (reply instanceof AttributedValue) reply = reply.value;
  return reply instanceof ErrorReply;
}

export { bulk };
