/**
 * Resolves after `ms` milliseconds. Every runtime the shared code runs in (Node, Electron's
 * processes, the browser) has setTimeout; the shared tsconfig declares neither Node's nor the DOM's
 * globals, so it is reached through globalThis with the one signature used here.
 */
export function delay(ms: number): Promise<void> {
  const timers = globalThis as unknown as { setTimeout(handler: () => void, ms: number): unknown };
  return new Promise((resolve) => {
    timers.setTimeout(resolve, ms);
  });
}
