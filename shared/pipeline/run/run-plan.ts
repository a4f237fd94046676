import type { Affine2x3 } from '../../image/warp';
import type { ModeDecision } from '../modes';
import type { TileGrid } from '../tile-grid';
import type { RunContext } from './run-context';
import { readJson, writeJson } from './run-files';
import { planStore, tileEdgeCuts, uniformCuts, type StoreLayout } from './work-store';

/**
 * work/plan.json — everything fixed after registration (P4/P5) that the P6 and P9 units need:
 * the usable frames in store order, their canvas→frame matrices, the canvas, the tile grid and the
 * mode. Written once by the orchestrator; units only read it.
 */
export interface RunPlan {
  /** Manifest indices of the usable frames; position = usable ordinal fu (store order). */
  readonly usable: number[];
  /** Manifest index of the reference frame. */
  readonly reference: number;
  readonly seeingPx: number;
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  /** Full-resolution matrices mapping canvas coordinates to frame coordinates, by manifest index. */
  readonly matrices: Record<number, Affine2x3>;
  readonly grid: TileGrid;
  readonly mode: ModeDecision;
  /** Planes stored per frame: 1 for mono and OSC mosaics, 3 for RGB. */
  readonly planes: number;
  /** G_f per usable frame (P3), aligned with `usable` (strict: the geometric mean of the channels). */
  readonly G: number[];
  /** Strict profile on colour data: G per channel (R, G, B), each aligned with `usable`; else absent. */
  readonly channelG?: number[][];
  /**
   * Cell edges of the work store (work-store.ts: at every tile edge). Absent in plans written before
   * they existed: those stores have METHOD's stride-sized cells, and a resumed run keeps them.
   */
  readonly storeCuts?: { readonly x: number[]; readonly y: number[] };
}

/** The store's cell edges for a tile grid: at every tile edge. */
export function storeCutsFor(grid: TileGrid): { x: number[]; y: number[] } {
  return { x: tileEdgeCuts(grid.canvasWidth, grid.xOrigins, grid.tiles[0]?.width ?? grid.canvasWidth), y: tileEdgeCuts(grid.canvasHeight, grid.yOrigins, grid.tiles[0]?.height ?? grid.canvasHeight) };
}

export function planPath(ctx: RunContext): string {
  return ctx.paths.workFile('plan.json');
}

export async function writeRunPlan(ctx: RunContext, plan: RunPlan): Promise<void> {
  await writeJson(ctx.fs, planPath(ctx), plan);
}

const planCache = new Map<string, Promise<RunPlan>>();

export function loadRunPlan(ctx: RunContext): Promise<RunPlan> {
  const key = planPath(ctx);
  let p = planCache.get(key);
  if (!p) {
    p = readJson<RunPlan>(ctx.fs, key);
    planCache.set(key, p);
    p.catch(() => planCache.delete(key));
  }
  return p;
}

export function clearRunPlanCache(): void {
  planCache.clear();
}

/** Layouts of the plans in memory: every P6 and P9 task asks, and a 24 MP plan has ~7,000 cells. */
const layoutCache = new WeakMap<RunPlan, StoreLayout>();

export function storeLayoutOf(plan: RunPlan): StoreLayout {
  let layout = layoutCache.get(plan);
  if (!layout) {
    const cuts = plan.storeCuts ?? { x: uniformCuts(plan.canvasWidth, plan.grid.stride), y: uniformCuts(plan.canvasHeight, plan.grid.stride) };
    layout = planStore(plan.canvasWidth, plan.canvasHeight, cuts.x, cuts.y, plan.usable.length, plan.planes);
    layoutCache.set(plan, layout);
  }
  return layout;
}

export function storePath(ctx: RunContext): string {
  return ctx.paths.workFile('cells.f32');
}
