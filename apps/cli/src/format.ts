/**
 * Replies as redis-cli 7 prints them, in its five output formats.
 *
 * The oracle is redis-cli itself (`cliFormatReplyTTY`, `cliFormatReplyRaw`,
 * `cliFormatReplyCSV`, `cliFormatReplyJson` in redis-cli.c); the tests compare both programs'
 * bytes for the same replies. Where redis-cli 7.0 cannot print a RESP3 type at all (big numbers,
 * bulk errors, attributes: it stops with "Unknown reply type"), byor-cli prints it in the style
 * of its neighbours: `(big number) 1234`, an error, the attributed value.
 *
 * Strings are latin1 strings (one char per byte, as the reply parser gives them with
 * `encoding: 'latin1'`), and so is the output: write it with `Buffer.from(out, 'latin1')`.
 */
import {
  AttributedValue,
  BigNumber,
  ErrorReply,
  Push,
  RespDouble,
  SimpleString,
  VerbatimString,
  formatDouble,
  type RespValue,
} from '@byor/protocol';
import { quoteBytes, quoteJson, quoteJsonAscii } from './repr.js';

/**
 * The output formats: redis-cli's `--no-raw` (standard), `--raw`, `--csv`, `--json`, `--quoted-json`.
 *
 * @example
 * ```ts
 * formatReply(1, OutputFormats.STANDARD); // '(integer) 1\n'
 * ```
 */
export const OutputFormats = {
  /** the human format of a terminal: `(integer) 1`, `"quoted"`, numbered nested arrays */
  STANDARD: 'standard',
  /** bytes as they are, one element per line: the default when stdout is not a terminal */
  RAW: 'raw',
  /** one line of comma-separated values per reply */
  CSV: 'csv',
  /** one JSON value per reply, strings as UTF-8 text */
  JSON: 'json',
  /** one JSON value per reply, strings ASCII-only with `\xhh` escapes */
  QUOTED_JSON: 'quoted-json',
} as const;

/** One of {@link OutputFormats}. */
export type OutputFormat = (typeof OutputFormats)[keyof typeof OutputFormats];

/**
 * Options of {@link formatReply}.
 *
 * @example
 * ```ts
 * formatReply(['a', 'b'], 'raw', { bulkDelimiter: ',', replyDelimiter: '' }); // 'a,b'
 * ```
 */
export interface FormatOptions {
  /** raw format: between the elements of an aggregate (redis-cli `-d`). Default `"\n"`. */
  bulkDelimiter?: string;
  /** raw format: after each reply (redis-cli `-D`). Default `"\n"`. */
  replyDelimiter?: string;
}

/**
 * Formats one reply as redis-cli prints it, trailing newline (or `-D` delimiter) included.
 * O(size of the reply).
 *
 * @param value - a reply from `ReplyParser` (latin1 strings) or from `Connection.send()`
 * @param format - one of {@link OutputFormats}
 * @returns a latin1 string: write it with `Buffer.from(text, 'latin1')`
 *
 * @example
 * ```ts
 * formatReply(['a', 1, null], 'standard'); // '1) "a"\n2) (integer) 1\n3) (nil)\n'
 * formatReply(['a', 1, null], 'raw');      // 'a\n1\n\n'
 * formatReply(['a', 1, null], 'csv');      // '"a",1,NULL\n'
 * ```
 */
export function formatReply(
  value: RespValue,
  format: OutputFormat,
  options: FormatOptions = {},
): string {
  switch (format) {
    case OutputFormats.STANDARD:
      return formatStandard(value, '');
    case OutputFormats.RAW:
      return formatRaw(value, options.bulkDelimiter ?? '\n') + (options.replyDelimiter ?? '\n');
    case OutputFormats.CSV:
      return formatCsv(value) + '\n';
    case OutputFormats.JSON:
      return formatJson(value, false) + '\n';
    case OutputFormats.QUOTED_JSON:
      return formatJson(value, true) + '\n';
  }
}

/** RESP3 attributes describe a value and are not part of it: print the value. */
function unwrap(value: RespValue): RespValue {
  while (value instanceof AttributedValue) value = value.value;
  return value;
}

/** The elements of an aggregate as redis-cli sees them (a map is key, value, key, value...). */
function elementsOf(
  value: RespValue[] | Set<RespValue> | Push | Map<RespValue, RespValue>,
): RespValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Push) return value.values;
  if (value instanceof Set) return [...value];
  const flat: RespValue[] = [];
  for (const [key, item] of value) flat.push(key, item);
  return flat;
}

function isAggregate(
  value: RespValue,
): value is RespValue[] | Set<RespValue> | Push | Map<RespValue, RespValue> {
  return (
    Array.isArray(value) || value instanceof Map || value instanceof Set || value instanceof Push
  );
}

function doubleText(value: RespDouble): string {
  return formatDouble(value.value);
}

/**
 * True when the standard format prints the value on several lines (redis-cli
 * `cliIsMultilineValueTTY`): a map entry's value then starts on a line of its own.
 */
function isMultiline(value: RespValue): boolean {
  value = unwrap(value);
  if (value instanceof Map) {
    if (value.size === 0) return false;
    if (value.size > 1) return true;
    const only = value.values().next().value as RespValue;
    return isMultiline(only);
  }
  if (!isAggregate(value)) return false;
  const elements = elementsOf(value);
  if (elements.length === 0) return false;
  if (elements.length > 1) return true;
  return isMultiline(elements[0]!);
}

/**
 * The standard format of one reply with its nested lines indented by `prefix` (redis-cli
 * `cliFormatReplyTTY`). O(size of the reply).
 *
 * @example
 * ```ts
 * formatStandard(['a'], ''); // '1) "a"\n'
 * ```
 */
export function formatStandard(value: RespValue, prefix: string): string {
  value = unwrap(value);
  if (value === null) return '(nil)\n';
  if (typeof value === 'string') return quoteBytes(value) + '\n';
  if (typeof value === 'number' || typeof value === 'bigint') return `(integer) ${String(value)}\n`;
  if (typeof value === 'boolean') return value ? '(true)\n' : '(false)\n';
  if (value instanceof SimpleString) return value.value + '\n';
  if (value instanceof ErrorReply) return `(error) ${value.message}\n`;
  if (value instanceof RespDouble) return `(double) ${doubleText(value)}\n`;
  if (value instanceof BigNumber) return `(big number) ${value.value}\n`;
  if (value instanceof VerbatimString) return value.text + '\n';
  if (value instanceof AttributedValue) return formatStandard(value.value, prefix);
  const isMap = value instanceof Map;
  const elements = elementsOf(value);
  if (elements.length === 0) {
    if (isMap) return '(empty hash)\n';
    if (value instanceof Set) return '(empty set)\n';
    if (value instanceof Push) return '(empty push)\n';
    return '(empty array)\n';
  }
  const count = isMap ? elements.length / 2 : elements.length;
  const width = String(count).length;
  // nested aggregates are indented by the width of this level's numbers plus ") "
  const childPrefix = prefix + ' '.repeat(width + 2);
  const separator = isMap ? '#' : value instanceof Set ? '~' : ')';
  let out = '';
  for (let i = 0; i < elements.length; i++) {
    const number = String((isMap ? i / 2 : i) + 1).padStart(width, ' ');
    // the first element follows the number the parent already printed
    out += `${i === 0 ? '' : prefix}${number}${separator} `;
    out += formatStandard(elements[i]!, childPrefix);
    if (isMap) {
      i++;
      const item = elements[i]!;
      out = out.slice(0, -1) + ' => ';
      if (isMultiline(item)) out += '\n' + childPrefix;
      out += formatStandard(item, childPrefix);
    }
  }
  return out;
}

/** redis-cli `cliFormatReplyRaw` (without the reply delimiter). */
function formatRaw(value: RespValue, delimiter: string): string {
  value = unwrap(value);
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '(true)' : '(false)';
  if (value instanceof SimpleString) return value.value;
  if (value instanceof ErrorReply) return value.message + '\n';
  if (value instanceof RespDouble) return doubleText(value);
  if (value instanceof BigNumber) return String(value.value);
  if (value instanceof VerbatimString) return value.text;
  if (value instanceof AttributedValue) return formatRaw(value.value, delimiter);
  let out = '';
  if (value instanceof Map) {
    let first = true;
    for (const [key, item] of value) {
      if (!first) out += delimiter;
      first = false;
      out += formatRaw(key, delimiter) + ' ' + formatRaw(item, delimiter);
    }
    return out;
  }
  const elements = elementsOf(value);
  for (let i = 0; i < elements.length; i++) {
    if (i > 0) out += delimiter;
    out += formatRaw(elements[i]!, delimiter);
  }
  return out;
}

/** redis-cli `cliFormatReplyCSV` (without the newline). */
function formatCsv(value: RespValue): string {
  value = unwrap(value);
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteBytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof SimpleString) return quoteBytes(value.value);
  if (value instanceof ErrorReply) return 'ERROR,' + quoteBytes(value.message);
  if (value instanceof RespDouble) return doubleText(value);
  if (value instanceof BigNumber) return String(value.value);
  if (value instanceof VerbatimString) return quoteBytes(value.text);
  if (value instanceof AttributedValue) return formatCsv(value.value);
  return elementsOf(value).map(formatCsv).join(',');
}

/** redis-cli `cliFormatReplyJson` (without the newline). */
function formatJson(value: RespValue, ascii: boolean): string {
  value = unwrap(value);
  const quote = ascii ? quoteJsonAscii : quoteJson;
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof SimpleString) return quote(value.value);
  if (value instanceof ErrorReply) return 'error:' + quote(value.message);
  if (value instanceof RespDouble) return doubleText(value);
  if (value instanceof BigNumber) return String(value.value);
  if (value instanceof VerbatimString) return quote(value.text);
  if (value instanceof AttributedValue) return formatJson(value.value, ascii);
  if (value instanceof Map) {
    const entries: string[] = [];
    for (const [rawKey, item] of value) {
      const key = unwrap(rawKey);
      let keyText = formatJson(key, ascii);
      // JSON keys are strings: other types are printed, then quoted unless already quoted
      const stringLike =
        typeof key === 'string' ||
        key instanceof SimpleString ||
        key instanceof ErrorReply ||
        key instanceof VerbatimString;
      if (!stringLike && !keyText.startsWith('"')) keyText = `"${keyText}"`;
      entries.push(keyText + ':' + formatJson(item, ascii));
    }
    return '{' + entries.join(',') + '}';
  }
  return (
    '[' +
    elementsOf(value)
      .map((item) => formatJson(item, ascii))
      .join(',') +
    ']'
  );
}

/**
 * redis-cli's rendering of a RESP3 `invalidate` push in the standard format:
 * `-> invalidate: 'key1', 'key2'`. Returns undefined for any other push. O(keys).
 *
 * @example
 * ```ts
 * formatInvalidate(new Push(['invalidate', ['a', 'b']])); // "-> invalidate: 'a', 'b'\n"
 * ```
 */
export function formatInvalidate(push: Push): string | undefined {
  const [kind, keys] = push.values;
  if (push.values.length !== 2 || kind !== 'invalidate' || !Array.isArray(keys)) return undefined;
  return `-> invalidate: ${keys.map((key) => `'${replyText(key)}'`).join(', ')}\n`;
}

/**
 * The text of a scalar reply: a bulk or simple string as is, a number in decimal, anything else
 * empty. O(1).
 *
 * @example
 * ```ts
 * replyText(new SimpleString('OK')); // 'OK'
 * ```
 */
export function replyText(value: RespValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof SimpleString) return value.value;
  if (value instanceof VerbatimString) return value.text;
  return '';
}
