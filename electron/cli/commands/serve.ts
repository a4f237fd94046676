import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiHandlers } from '../../host/api-handlers';
import { createNodeHostDeps } from '../../host/api/node-host-deps';
import { startBrowserHost } from '../../host/browser-host/server';
import { createFileLogger } from '../../host/logging';
import { RunManager } from '../../host/run-manager';
import { parseArgs, parseIntOption } from '../args';
import { EXIT, UsageError, type CliCommand } from '../command';

const usage = `tile-compile serve [--port P] [--host ADDR] [--runs DIR] [--root DIR] [--static DIR] [--workers N]

Serves the Tile Compile app to a web browser on this machine (no Electron needed) and prints
the address to open, including the access token:  http://127.0.0.1:PORT/?token=...

  --port P      port to listen on (default 8765; 0 picks a free port)
  --host ADDR   address to bind (default 127.0.0.1, this machine only).
                WARNING: --host 0.0.0.0 exposes the app to your network. Anyone who has the
                printed URL (with its token) can read images in your home folder and start runs.
                Use it only on a network you trust, e.g. a private VPN to the telescope computer.
  --runs DIR    where runs are written (default ~/TileCompile/runs)
  --root DIR    an extra folder the app may read (default: your home folder, the runs folder)
  --static DIR  the built renderer (default: dist/renderer next to this program)
  --data DIR    app data: recent folders, demo frames, logs/host.log (default ~/TileCompile)
  --workers N   worker processes per run (default: from the available memory and cores)

Runs started in the browser write their folders under --runs; each has its own logs/ folder.
Ctrl+C cancels a run in progress (it can be resumed from the Run view) and stops the server.`;

export function defaultStaticDir(): string {
  const candidates: string[] = [];
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    candidates.push(path.resolve(here, '../renderer'), path.resolve(here, '../../../dist/renderer'));
  } catch {
    // Bundled as CommonJS: fall through to the working directory.
  }
  candidates.push(path.resolve('dist/renderer'));
  return candidates.find((c) => existsSync(path.join(c, 'index.html'))) ?? candidates[candidates.length - 1];
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'open the app in a web browser (browser host)',
  usage,
  async run(args, io) {
    const a = parseArgs(args, { options: ['port', 'host', 'runs', 'root', 'static', 'data', 'workers'] });
    if (a.positional.length > 0) throw new UsageError(`unexpected argument ${a.positional[0]}`);
    const port = parseIntOption('port', a.options.port, 0) ?? 8765;
    if (port > 65535) throw new UsageError(`--port expects a port number up to 65535, got ${port}`);
    const host = a.options.host ?? '127.0.0.1';
    const dataDir = path.resolve(a.options.data ?? path.join(os.homedir(), 'TileCompile'));
    const runsRoot = path.resolve(a.options.runs ?? path.join(dataDir, 'runs'));
    const staticDir = path.resolve(a.options.static ?? defaultStaticDir());
    if (!existsSync(path.join(staticDir, 'index.html'))) {
      io.stderr(`The app is not built: ${staticDir}/index.html is missing. Run "npm run build" first.\n`);
      return EXIT.failed;
    }
    const workers = parseIntOption('workers', a.options.workers, 1);
    const roots = a.options.root ? [path.resolve(a.options.root)] : [];
    const appLog = createFileLogger([{ file: path.join(dataDir, 'logs', 'host.log'), archives: 5 }]);
    const runService = new RunManager({ workers, appLog });
    const deps = await createNodeHostDeps({ host: 'browser', runsRoot, dataDir, runService, extraRoots: roots });
    const server = await startBrowserHost({ handlers: createApiHandlers(deps), runService, staticDir, host, port });
    appLog.info(`browser host listening on ${host}:${server.port}; runs in ${runsRoot}`);
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      appLog.warn(`listening on ${host}: reachable from the network`);
      io.stderr(`WARNING: listening on ${host}: anyone on your network with the URL below can use this app.\n`);
    }
    io.stdout(`Tile Compile is running. Open ${server.url}\n`);
    io.stdout('Press Ctrl+C to stop.\n');
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // A run in progress is cancelled (resumable), not killed mid-write.
    await runService.shutdown();
    await server.close();
    appLog.info('browser host stopped');
    return EXIT.ok;
  },
};
