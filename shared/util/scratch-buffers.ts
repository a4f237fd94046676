/**
 * Frame-sized arrays that a worker reuses from one task to the next. A worker runs one task at a
 * time, frame after frame of the same size; allocating a fresh 96 MB Float32Array per decoded
 * frame and per warped canvas (24 MP) made the kernel map and zero ~290 MB of new pages for every
 * P6 frame: on the bench's 6000x4000 set a quarter of the prepare phase's CPU time was system
 * time in page faults.
 *
 * A task asks for a slot's array of n values (`float32`) and may use it until the task ends; the
 * next task asking for that slot gets the same memory back. The contents are whatever the last
 * task left: callers hand it to code that writes every value (readFitsImage `into`, warp `into`).
 * Only arrays allocated here are held, never a caller's. One instance per worker process (or per
 * in-process execution); the worker replaces it when the task kind changes, so frame buffers of P2
 * and P6 are not carried into the tile phase.
 */
export class ScratchBuffers {
  private readonly slots = new Map<string, Float32Array>();

  /** A view of the slot's first n values (the slot grows to n when smaller; it never shrinks). */
  float32(slot: string, n: number): Float32Array {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`scratch: invalid length ${n}`);
    let a = this.slots.get(slot);
    if (!a || a.length < n) {
      // the smaller array is released before the larger one is made
      this.slots.delete(slot);
      a = new Float32Array(n);
      this.slots.set(slot, a);
    }
    return a.subarray(0, n);
  }

  /** Bytes held (tests, logs). */
  get bytes(): number {
    let total = 0;
    for (const a of this.slots.values()) total += a.byteLength;
    return total;
  }
}
