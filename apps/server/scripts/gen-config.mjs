#!/usr/bin/env node
// Captures the names and default values of every directive redis-server knows (CONFIG GET *)
// into src/config/redis-directives.json. byor uses it to tell a directive it does not implement
// yet (start with a warning) from one redis-server does not know either (refuse to start), and to
// answer CONFIG GET for directives it only stores.
//
//   node scripts/gen-config.mjs        (needs redis-server on PATH)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = 17000 + Math.floor(Math.random() * 1000);
const dir = mkdtempSync(join(tmpdir(), 'byor-gen-config-'));
const server = spawn('redis-server', ['--port', String(port)], { cwd: dir, stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 500));
const flat = execFileSync('redis-cli', ['-p', String(port), 'config', 'get', '*'], {
  encoding: 'latin1',
})
  .split('\n')
  .slice(0, -1);
const version = execFileSync('redis-server', ['--version'], { encoding: 'latin1' }).match(
  /v=(\S+)/,
)[1];
server.kill('SIGKILL');
rmSync(dir, { recursive: true, force: true });

const defaults = {};
for (let i = 0; i + 1 < flat.length; i += 2) defaults[flat[i]] = flat[i + 1];
defaults.port = '6379';
defaults.dir = ''; // the working directory at start-up
const sorted = Object.fromEntries(Object.entries(defaults).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  new URL('../src/config/redis-directives.json', import.meta.url),
  JSON.stringify({ redisVersion: version, defaults: sorted }, null, 2) + '\n',
);
console.log(`captured ${Object.keys(sorted).length} directives from redis-server ${version}`);
