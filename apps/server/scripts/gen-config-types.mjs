#!/usr/bin/env node
// Captures how redis-server checks the value of each directive it knows: its kind (yes/no, an
// integer or a memory size and their bounds, one of a list), from the errors redis-server gives
// for probe values, into src/config/redis-directive-types.json. byor checks the values of every
// directive with it (implemented or not), so that a bad value is refused with redis-server's text.
//
//   node scripts/gen-config-types.mjs     (needs redis-server on PATH; after gen-config.mjs)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const names = Object.keys(
  JSON.parse(readFileSync(new URL('../src/config/redis-directives.json', import.meta.url)))
    .defaults,
);

/** The error redis-server gives for `--<name> <value>` ('' when it takes the value). */
function refusal(name, value) {
  // port 0 and no unix socket: a configuration it takes ends at "not listen anywhere"
  const run = spawnSync('redis-server', ['--port', '0', `--${name}`, value], {
    encoding: 'latin1',
    timeout: 5000,
  });
  return /\n>>> .*\n(.*)/.exec(run.stderr)?.[1] ?? '';
}

const BETWEEN = /^argument must be between (-?\d+) and (-?\d+) inclusive$/;
const LONG_MIN = '-9223372036854775807';
const LONG_MAX = '9223372036854775807';
const ULONG_MAX = '18446744073709551615';

const types = {};
for (const name of names) {
  const text = refusal(name, 'abc');
  let type;
  if (text === "argument must be 'yes' or 'no'") type = { kind: 'bool' };
  else if (text.startsWith('argument(s) must be one of the following: '))
    type = { kind: 'enum', values: text.slice(text.indexOf(': ') + 2).split(', ') };
  else if (text === "argument couldn't be parsed into an integer") type = { kind: 'int' };
  else if (text === 'argument must be a memory value') type = { kind: 'memory' };
  else continue; // strings, and the directives with a syntax of their own
  if (type.kind === 'int' || type.kind === 'memory') {
    // the bounds: a probe out of them is refused naming both
    const probes = type.kind === 'int' ? [LONG_MIN, LONG_MAX] : ['0', LONG_MAX, ULONG_MAX];
    type.min = type.kind === 'int' ? LONG_MIN : '0';
    type.max = type.kind === 'int' ? LONG_MAX : ULONG_MAX;
    for (const probe of probes) {
      const bounds = BETWEEN.exec(refusal(name, probe));
      if (bounds) [, type.min, type.max] = bounds;
    }
  }
  types[name] = type;
}
const out = new URL('../src/config/redis-directive-types.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(types, null, 2)}\n`);
execFileSync('npx', ['prettier', '--write', out.pathname]); // the repository's JSON style
console.log(`${Object.keys(types).length} directive types -> ${out.pathname}`);
