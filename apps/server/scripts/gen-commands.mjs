#!/usr/bin/env node
// Captures redis-server's own command metadata (COMMAND INFO and COMMAND DOCS, in RESP3) into
// src/commands/redis-commands.json, so that byor's command table (arity, flags, key positions)
// and its COMMAND replies are those of the oracle, byte for byte.
//
//   redis-server --port 7379 --save "" --daemonize yes
//   node scripts/gen-commands.mjs 7379
//
// The JSON maps each command name to the raw RESP3 bytes (latin1) of its COMMAND INFO entry and of
// its COMMAND DOCS entry (name + doc map). The server parses them at start-up.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';

const port = Number(process.argv[2] ?? 6379);
const socket = connect(port, '127.0.0.1');
let pending = Buffer.alloc(0);
const waiters = [];

socket.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    const end = frameEnd(pending, 0);
    if (end < 0 || waiters.length === 0) break;
    const frame = pending.subarray(0, end);
    pending = pending.subarray(end);
    waiters.shift()(frame);
  }
});

// Returns the offset just past one complete RESP3 value starting at `at`, or -1.
function frameEnd(buf, at) {
  if (at >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[at]);
  const head = buf.toString('latin1', at + 1, lineEnd);
  let next = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return next;
    case '$':
    case '=':
    case '!': {
      const len = Number(head);
      if (len < 0) return next;
      return buf.length >= next + len + 2 ? next + len + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let count = Number(head);
      if (count < 0) return next;
      if (type === '%' || type === '|') count *= 2;
      for (let i = 0; i < count; i++) {
        next = frameEnd(buf, next);
        if (next < 0) return -1;
      }
      return next;
    }
    default:
      throw new Error(`unexpected RESP type ${type}`);
  }
}

function send(...args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  socket.write(out);
  return new Promise((resolve) => waiters.push(resolve));
}

// Splits the elements of an aggregate frame (returns raw element frames).
function elements(frame) {
  const lineEnd = frame.indexOf('\r\n');
  const type = String.fromCharCode(frame[0]);
  let count = Number(frame.toString('latin1', 1, lineEnd));
  if (type === '%') count *= 2;
  const out = [];
  let at = lineEnd + 2;
  for (let i = 0; i < count; i++) {
    const end = frameEnd(frame, at);
    out.push(frame.subarray(at, end));
    at = end;
  }
  return out;
}

await new Promise((resolve) => socket.once('connect', resolve));
await send('HELLO', '3');
const version = (await send('INFO', 'server')).toString('latin1').match(/redis_version:(\S+)/)[1];
const all = elements(await send('COMMAND'));
const commands = {};
for (const info of all) {
  const name = elements(info)[0].toString('latin1').split('\r\n')[1];
  const docs = elements(await send('COMMAND', 'DOCS', name)); // [name, docmap]
  commands[name] = { info: info.toString('latin1'), docs: docs[1].toString('latin1') };
  // container commands: keep the text of their HELP subcommand too
  if (info.toString('latin1').includes(`\r\n${name}|help\r\n`)) {
    commands[name].help = (await send(name, 'HELP')).toString('latin1');
  }
}
const sorted = Object.fromEntries(Object.entries(commands).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  new URL('../src/commands/redis-commands.json', import.meta.url),
  JSON.stringify({ redisVersion: version, commands: sorted }, null, 0) + '\n',
);
console.log(`captured ${Object.keys(sorted).length} commands from redis-server ${version}`);
socket.end();
