// Bundles every Node-side entry point with esbuild into dist/ (the CLI, the worker entry, the
// Electron main and preload, the benchmark) and builds the renderer with Vite when it exists.
// Native and binary-heavy packages stay external: they are loaded from node_modules at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const external = ['electron', 'sharp', 'systeminformation', 'electron-log', 'ws', 'playwright-core', 'amqplib'];

const nodeEntries = [
  ['electron/cli/tile-compile.ts', 'dist/cli/tile-compile.js', 'esm'],
  ['electron/workers/worker-main.ts', 'dist/workers/worker-main.js', 'esm'],
  ['bench/bench.ts', 'dist/bench/bench.js', 'esm'],
  ['bench/quality.ts', 'dist/bench/quality.js', 'esm'],
  ['electron/main/index.ts', 'dist/electron/main.cjs', 'cjs'],
  ['electron/preload/index.ts', 'dist/electron/preload.cjs', 'cjs'],
];

const banner = {
  // esm bundles that contain CommonJS dependencies need require()
  js: "import { createRequire as __tcCreateRequire } from 'node:module'; const require = __tcCreateRequire(import.meta.url);",
};

for (const [entry, outfile, format] of nodeEntries) {
  if (!existsSync(path.join(root, entry))) continue;
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(root, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    sourcemap: true,
    external,
    banner: format === 'esm' ? banner : undefined,
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'silent' },
  });
}

if (existsSync(path.join(root, 'renderer/vite.config.ts')) && !process.argv.includes('--no-renderer')) {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
