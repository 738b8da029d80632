import { describe, expect, it } from 'vitest';
import { splitArgs } from '../src/index.js';

const split = (text: string) => splitArgs(Buffer.from(text, 'latin1'));

describe('splitArgs (sdssplitargs)', () => {
  const table: [string, string[] | undefined][] = [
    ['', []],
    ['   \t\x0b\x0c ', []],
    ['SET a b', ['SET', 'a', 'b']],
    ['  SET   a\tb  ', ['SET', 'a', 'b']],
    ['"a b" c', ['a b', 'c']],
    ['"\\x41\\x4g\\n\\r\\t\\b\\a\\q\\\\\\""', ['A' + 'x4g' + '\n\r\t\b\x07q\\"']],
    ["'a\\'b' 'c\\nd' 'e\\\\x'", ["a'b", 'c\\nd', 'e\\\\x']],
    ["'e\\\\'", undefined],
    ['"" \'\'', ['', '']],
    ['a"b c"', ['ab c']],
    ["a'b c'", ['ab c']],
    ['a\x0bb', ['a\x0bb']],
    ['x\ry\nz', ['x', 'y', 'z']],
    ['"a"\x0bb', ['a', 'b']],
    ['a\0b c', ['a']],
    ['\xff\xe9', ['\xff\xe9']],
    ['"a"b', undefined],
    ["'a'b", undefined],
    ['"abc', undefined],
    ["'abc", undefined],
    ['"a\\', undefined],
    ['"a\0"', undefined],
    ['a"b c"d', undefined],
  ];
  for (const [input, expected] of table) {
    it(JSON.stringify(input), () => expect(split(input)).toEqual(expected));
  }

  it('reads only the given range, the end acting as the string terminator', () => {
    const line = Buffer.from('xxSET "a b"yy', 'latin1');
    expect(splitArgs(line, 2, 11)).toEqual(['SET', 'a b']);
    expect(splitArgs(line, 2, 10)).toBeUndefined();
  });

  it('builds long escaped arguments', () => {
    const long = 'é'.repeat(1000);
    expect(split(`"${'\\xe9'.repeat(1000)}"`)).toEqual([long.replace(/é/g, '\xe9')]);
  });
});
