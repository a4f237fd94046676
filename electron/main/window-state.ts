import { readFile, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_BOUNDS, type WindowBounds } from './window-options';

/** Remembers the window's size, position and maximized state between sessions. */
export async function loadWindowState(file: string): Promise<WindowBounds> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as Partial<WindowBounds>;
    if (typeof v.width === 'number' && typeof v.height === 'number') {
      return {
        width: v.width,
        height: v.height,
        x: typeof v.x === 'number' ? v.x : undefined,
        y: typeof v.y === 'number' ? v.y : undefined,
        maximized: v.maximized === true,
      };
    }
  } catch {
    // First start or a damaged file: the default size is fine.
  }
  return DEFAULT_BOUNDS;
}

export async function saveWindowState(file: string, bounds: WindowBounds): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(bounds));
}
