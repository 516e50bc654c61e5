// One esbuild config for every bundle: extension host (node/cjs, vscode external), CLI (node),
// webview (browser), and the engine worker the extension runs migrations in. Type-checking is `npm run typecheck`.
// package.json says "sideEffects": false: a bundle that imports src/core/index.ts keeps only the modules it uses.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// The test tiers start with `node scripts/build.mjs --for-tests`: a tier run alone builds first, while `npm test`
// (scripts/test-all.sh) builds once and sets SQLITE2MONGO_SKIP_BUILD=1 for its tiers.
if (process.argv.includes('--for-tests') && process.env.SQLITE2MONGO_SKIP_BUILD === '1') process.exit(0);

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info', target: 'node20' };

/** @type {esbuild.BuildOptions[]} */
const bundles = [
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
];
const optional = [
  {
    entry: 'src/extension/extension.ts',
    options: {
      ...common,
      entryPoints: { extension: 'src/extension/extension.ts' },
      platform: 'node',
      format: 'cjs',
      outdir: 'dist',
      external: ['vscode'],
    },
  },
  {
    entry: 'src/extension/engineWorker.ts',
    options: {
      ...common,
      entryPoints: { engineWorker: 'src/extension/engineWorker.ts' },
      platform: 'node',
      format: 'cjs',
      outdir: 'dist',
    },
  },
  {
    entry: 'src/webview/panel/main.ts',
    options: {
      ...common,
      entryPoints: { webview: 'src/webview/panel/main.ts' },
      platform: 'browser',
      format: 'iife',
      outdir: 'dist',
      target: 'es2022',
    },
  },
  {
    entry: 'src/webview/designer/main.ts',
    options: {
      ...common,
      entryPoints: { designer: 'src/webview/designer/main.ts' },
      platform: 'browser',
      format: 'iife',
      outdir: 'dist',
      target: 'es2022',
    },
  },
  {
    entry: 'bench/bench.ts',
    options: { ...common, entryPoints: { bench: 'bench/bench.ts' }, platform: 'node', format: 'cjs', outdir: 'dist' },
  },
  {
    // Bundled like the CLI (not run through tsx, whose keepNames wrappers cost CPU on every closure created).
    entry: 'bench/read-convert.ts',
    options: {
      ...common,
      entryPoints: { benchReadConvert: 'bench/read-convert.ts' },
      platform: 'node',
      format: 'cjs',
      outdir: 'dist',
    },
  },
  {
    entry: 'bench/sync.ts',
    options: {
      ...common,
      entryPoints: { benchSync: 'bench/sync.ts' },
      platform: 'node',
      format: 'cjs',
      outdir: 'dist',
    },
  },
  {
    entry: 'test/vscode/suite/index.ts',
    options: {
      ...common,
      entryPoints: { 'test-suite': 'test/vscode/suite/index.ts' },
      platform: 'node',
      format: 'cjs',
      outdir: 'dist',
      external: ['vscode', 'mocha'],
    },
  },
];
for (const { entry, options } of optional) if (existsSync(entry)) bundles.push(options);

mkdirSync('dist', { recursive: true });
// The SQLite engine (wa-sqlite) loads its WASM at run time: ship it in dist/ so the packaged extension never reads
// node_modules. sql-wasm.wasm is only for the benchmark's sql.js baseline.
copyFileSync(require.resolve('@journeyapps/wa-sqlite/dist/wa-sqlite.wasm'), 'dist/wa-sqlite.wasm');
copyFileSync(path.join(path.dirname(require.resolve('sql.js')), 'sql-wasm.wasm'), 'dist/sql-wasm.wasm');
// The webview's icon font (codicons): copied into dist/, which is one of the webview's localResourceRoots.
const codicons = path.join(path.dirname(require.resolve('@vscode/codicons/package.json')), 'dist');
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(codicons, f), path.join('dist/codicons', f));

if (watch) {
  for (const b of bundles) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(bundles.map((b) => esbuild.build(b)));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
