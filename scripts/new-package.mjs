#!/usr/bin/env node
// Scaffolds a package that follows the house layout:
//   node scripts/new-package.mjs <packages|apps> <name> "<one-line description>"
// Writes package.json, tsconfig.json, tsup.config.ts, vitest.config.ts, README.md,
// src/index.ts, test/, bench/. Existing files are left alone.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [group, name, description = ''] = process.argv.slice(2);
if (!group || !name || !['packages', 'apps'].includes(group)) {
  console.error('usage: node scripts/new-package.mjs <packages|apps> <name> "<description>"');
  process.exit(1);
}
const dir = join(group, name);
const packageName = `@byor/${name}`;

const packageJson = {
  name: packageName,
  version: '0.0.0',
  description,
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/byor-dev/byor.git', directory: dir },
  type: 'module',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  files: ['dist'],
  sideEffects: false,
  engines: { node: '>=20' },
  publishConfig: { access: 'public' },
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    bench: 'tsx ../../scripts/bench.ts',
    lint: 'eslint . && prettier --check . --ignore-path ../../.prettierignore --ignore-path ../../.gitignore',
    typecheck: 'tsc --noEmit',
    'check:package': 'publint --strict && attw --pack . --profile node16',
  },
};

const files = {
  'package.json': JSON.stringify(packageJson, null, 2) + '\n',
  'tsconfig.json':
    JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        include: ['src', 'test', 'bench', '*.ts'],
      },
      null,
      2,
    ) + '\n',
  'tsup.config.ts': `import { defineConfig } from 'tsup';\nimport { packageBuild } from '../../tsup.shared.js';\n\nexport default defineConfig(packageBuild());\n`,
  'vitest.config.ts': `import { defineProject } from 'vitest/config';\n\nexport default defineProject({\n  test: { name: '${name}', include: ['test/**/*.test.ts'] },\n});\n`,
  'README.md': `# ${packageName}\n\n${description}\n\n## Install\n\n\`\`\`sh\npnpm add ${packageName}\n\`\`\`\n`,
  'src/index.ts': `export {};\n`,
};

for (const sub of ['src', 'test', 'bench']) mkdirSync(join(dir, sub), { recursive: true });
for (const [file, text] of Object.entries(files)) {
  const path = join(dir, file);
  if (!existsSync(path)) writeFileSync(path, text);
}
console.log(`scaffolded ${packageName} in ${dir}`);
