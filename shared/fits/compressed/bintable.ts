import type { FitsHeader } from '../header';

/**
 * The few binary-table facts a tile-compressed image needs (FITS 4.0 section 7.3): column byte
 * offsets from TFORMn, and variable-length array descriptors (P = two int32, Q = two int64).
 */
export interface Column {
  readonly name: string;
  readonly offset: number;
  readonly repeat: number;
  /** Type code: L X B I J K A E D C M P Q. */
  readonly code: string;
  /** Element code of a P/Q array (B, I, J, K, E, D). */
  readonly arrayCode?: string;
}

const WIDTH: Record<string, number> = { L: 1, B: 1, A: 1, I: 2, J: 4, K: 8, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };
export const ELEMENT_BYTES: Record<string, number> = { B: 1, I: 2, J: 4, K: 8, E: 4, D: 8 };

export function tableColumns(header: FitsHeader): Column[] {
  const n = header.getNumber('TFIELDS') ?? 0;
  const columns: Column[] = [];
  let offset = 0;
  for (let i = 1; i <= n; i++) {
    const form = (header.getString(`TFORM${i}`) ?? '').trim().toUpperCase();
    const m = /^(\d*)([LXBIJKAEDCMPQ])([A-Z]?)/.exec(form);
    if (!m) throw new Error(`TFORM${i} = '${form}' is not a binary-table format`);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const code = m[2];
    const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * WIDTH[code];
    const name = (header.getString(`TTYPE${i}`) ?? '').trim().toUpperCase();
    columns.push({ name, offset, repeat, code, arrayCode: code === 'P' || code === 'Q' ? m[3] : undefined });
    offset += width;
  }
  return columns;
}

/** Elements and heap offset of a P/Q descriptor at `at` in `rowBytes`. */
export function readDescriptor(view: DataView, at: number, code: string): { count: number; heapOffset: number } {
  if (code === 'P') return { count: view.getUint32(at, false), heapOffset: view.getUint32(at + 4, false) };
  return { count: Number(view.getBigUint64(at, false)), heapOffset: Number(view.getBigUint64(at + 8, false)) };
}

/** A scalar numeric cell (the per-tile ZSCALE, ZZERO, ZBLANK columns). */
export function readScalar(view: DataView, at: number, code: string): number {
  switch (code) {
    case 'B':
      return view.getUint8(at);
    case 'I':
      return view.getInt16(at, false);
    case 'J':
      return view.getInt32(at, false);
    case 'K':
      return Number(view.getBigInt64(at, false));
    case 'E':
      return view.getFloat32(at, false);
    case 'D':
      return view.getFloat64(at, false);
    default:
      throw new Error(`column type ${code} is not a numeric scalar`);
  }
}
