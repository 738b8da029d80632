#!/usr/bin/env node
// The README's two commands, for a machine that has only Node 20 and npm:
//   npm start   install (pnpm + dependencies), build, start byor-server (extra args go to it)
//   npm test    install, then build, lint, typecheck, test and package checks, in one go
// pnpm is taken at the version pinned in package.json#packageManager: the one on PATH when it
// matches, else through `npx pnpm@<version>` (no global install needed).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split(
  '@',
)[1];

function pnpmCommand() {
  try {
    const found = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (found === pinned) return ['pnpm'];
  } catch {
    // not on PATH
  }
  return ['npx', '--yes', `pnpm@${pinned}`];
}

const pnpm = pnpmCommand();

function sh(args, options = {}) {
  const [command, ...rest] = [...pnpm, ...args];
  const result = spawnSync(command, rest, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const [mode, ...extra] = process.argv.slice(2);
// Fast when nothing changed; fails, rather than drifting, when the lockfile is out of date.
sh(['install', '--frozen-lockfile']);

if (mode === 'start') {
  sh(['turbo', 'run', 'build', '--filter=@byor/server', '--output-logs=errors-only']);
  const child = spawn(process.execPath, [join(root, 'apps/server/dist/bin.js'), ...extra], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 0)));
} else if (mode === 'test') {
  sh([
    'turbo',
    'run',
    'build',
    'lint',
    'lint:repo',
    'typecheck',
    'typecheck:repo',
    'test',
    'check:package',
    ...extra,
  ]);
} else {
  console.error('usage: node scripts/run.mjs <start|test> [args...]');
  process.exit(1);
}
