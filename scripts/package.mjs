// `npm run package`: a production build, then `vsce package` into dist-vsix/sqlite2mongo.vsix, then checks the
// package: the files the extension needs at run time are in it, nothing it must not ship is, and it stays small.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const OUT = 'dist-vsix/sqlite2mongo.vsix';
const MAX_BYTES = 4 * 1024 * 1024;
const REQUIRED = [
  'dist/extension.js',
  'dist/engineWorker.js',
  'dist/webview.js',
  'dist/designer.js',
  'dist/wa-sqlite.wasm',
  'dist/codicons/codicon.css',
  'dist/codicons/codicon.ttf',
  'media/panel.css',
  'media/designer.css',
  'media/icon.png',
  'docs/plan.schema.json',
  'package.json',
];
const FORBIDDEN = [
  /^src\//,
  /^test\//,
  /node_modules\//,
  /\.map$/,
  /\.ts$/,
  /^scripts\//,
  /^\.cache\//,
  /^dist\/(cli|bench|test-suite)\.js$/,
];

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
// .vscodeignore is a whitelist, so stale development files in dist/ (maps, cli.js) never reach the package.
run(process.execPath, ['scripts/build.mjs', '--production']);
mkdirSync(path.dirname(OUT), { recursive: true });
const vsce = path.join('node_modules', '@vscode', 'vsce', 'vsce');
// The repository README links screenshots by relative path, which vsce cannot resolve without a repository URL;
// the package carries its own short README (docs/extension-readme.md) instead.
run(process.execPath, [
  vsce,
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  '--skip-license',
  '--readme-path',
  'docs/extension-readme.md',
  '--out',
  OUT,
]);

/** File names in a zip, read from its central directory. */
function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    names.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size: buf.readUInt32LE(p + 24) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

const entries = zipEntries(OUT)
  .filter((e) => e.name.startsWith('extension/'))
  .map((e) => ({ ...e, name: e.name.slice('extension/'.length) }));
const names = entries.map((e) => e.name);
const problems = [];
for (const r of REQUIRED) if (!names.includes(r)) problems.push(`missing ${r}`);
for (const n of names) if (FORBIDDEN.some((re) => re.test(n))) problems.push(`must not ship ${n}`);
const size = statSync(OUT).size;
if (size > MAX_BYTES) problems.push(`${OUT} is ${size} bytes, over the ${MAX_BYTES}-byte budget`);
console.log(
  `\n${OUT}: ${(size / 1024).toFixed(0)} KiB, ${names.length} files (${(entries.reduce((n, e) => n + e.size, 0) / 1024).toFixed(0)} KiB unpacked)`,
);
if (problems.length > 0) {
  console.error(`Package check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
