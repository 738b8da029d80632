/**
 * redis-server's sdscatrepr: a string quoted, with `\\` and `"` escaped, `\n \r \t \a \b` as such and
 * any other byte outside printable ASCII as `\xHH`. MONITOR prints arguments so, and redis-server's
 * main() quotes its command-line arguments so into the configuration text.
 */
export function sdsRepr(arg: string): string {
  let out = '"';
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 32 || c > 126) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += arg[i];
  }
  return out + '"';
}
