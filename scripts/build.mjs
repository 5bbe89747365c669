// `npm run build`: a clean dist/ compiled by tsc (tsconfig.build.json) plus the chat page's files.
// `--watch` (npm run start:dev) keeps both up to date and restarts dist/main.js on changes.
// `--if-missing` (the prepare script: npm install of a git dependency, or of a fresh checkout)
// builds only when there is no dist/ yet; `npm pack` builds anyway through prepack.
// Plain tsc instead of the Nest CLI: every @nestjs/cli 12 release depends on packages that
// require Node 22, while the gateway runs on Node 20.19 too (package.json engines).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const assets = { from: `${root}src/chat/public`, to: `${root}dist/chat/public` };
const watching = process.argv.includes('--watch');
if (process.argv.includes('--if-missing') && existsSync(`${root}dist/index.js`)) process.exit(0);

const copyAssets = () => cpSync(assets.from, assets.to, { recursive: true });

rmSync(`${root}dist`, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
copyAssets();

if (watching) {
  const children = [
    spawn(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--watch', '--preserveWatchOutput'], {
      stdio: 'inherit',
    }),
    spawn(process.execPath, ['--watch', `${root}dist/main.js`], { stdio: 'inherit' }),
  ];
  watch(assets.from, { recursive: true }, copyAssets);
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
}
