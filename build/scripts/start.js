// `npm start`: the desktop app when Electron can run here, otherwise the browser host.
// The Electron binary cannot be downloaded on some machines and servers have no display; in
// either case this says so in one line and starts `tile-compile serve`, which prints the URL.
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const extraArgs = process.argv.slice(2);

function electronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { ok: false, why: `the Electron binary is not installed (no ${path.relative(root, path.join(pkg, 'dist'))})` };
  const exe = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(exe)) return { ok: false, why: `the Electron binary is missing (${path.relative(root, exe)})` };
  return { ok: true, exe };
}

function displayProblem() {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  const forward = (sig) => () => child.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const electron = electronBinary();
const noDisplay = displayProblem();
if (electron.ok && !noDisplay) {
  run(electron.exe, [root, ...extraArgs]);
} else {
  const why = electron.ok ? noDisplay : electron.why;
  console.log(`Desktop app not available: ${why}. Starting the browser host instead.`);
  const cli = path.join(root, 'dist', 'cli', 'tile-compile.js');
  if (!existsSync(cli)) {
    console.error('The app is not built. Run "npm run build" first.');
    process.exit(1);
  }
  run(process.execPath, [cli, 'serve', '--port', '0', ...extraArgs]);
}
