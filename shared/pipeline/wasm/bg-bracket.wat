;; The cell medians of local-background.ts (P6.4): `compact_runs` gathers a cell's finite
;; unmasked pixels from a staged band of canvas rows by the cell's runs, `bracket` makes one pass
;; of a bracketed median over them: counts the values below p1 and copies those in [p1, p2] to
;; `out` in order, 4 values per step.
;; Memory (bytes; bg-bracket.ts lays it out): 0 i32 below, 4 i32 inside; values at 64 (n f32,
;; +16); out after them (n f32 + 16: the 4-wide step writes one value past the list's end); then
;; the staged band (f32), its mask bytes and the cell's runs.
(module
  (memory (export "memory") 1)

  ;; compact_runs: the pixels of `nRuns` runs (i32 quadruples at `runs`: first float of the run
  ;; and its mask byte, both counted from the staged band's start, step, count) that are finite and
  ;; unmasked, in order, to the values at 64; their count back. The band's floats are at `band`,
  ;; their mask bytes at `bandMask`.
  (func (export "compact_runs") (param $runs i32) (param $nRuns i32) (param $band i32) (param $bandMask i32) (result i32)
    (local $j i32) (local $r i32) (local $i i32) (local $p i32) (local $step i32) (local $c i32) (local $b i32)
    (local.set $j (i32.const 64))
    (block $runsDone (loop $nextRun
      (br_if $runsDone (i32.ge_u (local.get $r) (local.get $nRuns)))
      (local.set $i (i32.add (local.get $band) (i32.shl (i32.load (local.get $runs)) (i32.const 2))))
      (local.set $p (i32.add (local.get $bandMask) (i32.load offset=4 (local.get $runs))))
      (local.set $step (i32.load offset=8 (local.get $runs)))
      (local.set $c (i32.load offset=12 (local.get $runs)))
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $c)))
        (local.set $b (i32.load (local.get $i)))
        (i32.store (local.get $j) (local.get $b))
        ;; finite (exponent not all ones) and mask byte 0
        (local.set $j (i32.add (local.get $j) (i32.shl
          (i32.and (i32.ne (i32.and (local.get $b) (i32.const 0x7f800000)) (i32.const 0x7f800000))
                   (i32.eqz (i32.load8_u (local.get $p))))
          (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.shl (local.get $step) (i32.const 2))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $c (i32.sub (local.get $c) (i32.const 1)))
        (br $l)))
      (local.set $runs (i32.add (local.get $runs) (i32.const 16)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $nextRun)))
    (i32.shr_u (i32.sub (local.get $j) (i32.const 64)) (i32.const 2)))

  (func (export "bracket") (param $n i32) (param $out i32) (param $p1 f32) (param $p2 f32)
    (local $p i32) (local $end4 i32) (local $end i32) (local $j i32) (local $below v128) (local $b i32)
    (local $v v128) (local $in v128) (local $lo v128) (local $hi v128) (local $x f32)
    (local.set $lo (f32x4.splat (local.get $p1)))
    (local.set $hi (f32x4.splat (local.get $p2)))
    (local.set $p (i32.const 64))
    (local.set $end (i32.add (i32.const 64) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (i32.const 64) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $j (local.get $out))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (local.set $v (v128.load (local.get $p)))
      (local.set $below (i32x4.sub (local.get $below) (f32x4.lt (local.get $v) (local.get $lo))))
      (local.set $in (v128.and (f32x4.ge (local.get $v) (local.get $lo)) (f32x4.le (local.get $v) (local.get $hi))))
      (if (v128.any_true (local.get $in)) (then
        ;; each lane is written, the end moves on only for lanes inside (masks are -1/0)
        (f32.store (local.get $j) (f32x4.extract_lane 0 (local.get $v)))
        (local.set $j (i32.sub (local.get $j) (i32.shl (i32x4.extract_lane 0 (local.get $in)) (i32.const 2))))
        (f32.store (local.get $j) (f32x4.extract_lane 1 (local.get $v)))
        (local.set $j (i32.sub (local.get $j) (i32.shl (i32x4.extract_lane 1 (local.get $in)) (i32.const 2))))
        (f32.store (local.get $j) (f32x4.extract_lane 2 (local.get $v)))
        (local.set $j (i32.sub (local.get $j) (i32.shl (i32x4.extract_lane 2 (local.get $in)) (i32.const 2))))
        (f32.store (local.get $j) (f32x4.extract_lane 3 (local.get $v)))
        (local.set $j (i32.sub (local.get $j) (i32.shl (i32x4.extract_lane 3 (local.get $in)) (i32.const 2))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $l)))
    (local.set $b (i32.add (i32.add (i32x4.extract_lane 0 (local.get $below)) (i32x4.extract_lane 1 (local.get $below)))
                           (i32.add (i32x4.extract_lane 2 (local.get $below)) (i32x4.extract_lane 3 (local.get $below)))))
    (block $tdone (loop $t
      (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $x (f32.load (local.get $p)))
      (local.set $b (i32.add (local.get $b) (f32.lt (local.get $x) (local.get $p1))))
      (f32.store (local.get $j) (local.get $x))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.and (f32.ge (local.get $x) (local.get $p1)) (f32.le (local.get $x) (local.get $p2))) (i32.const 2))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $t)))
    (i32.store (i32.const 0) (local.get $b))
    (i32.store (i32.const 4) (i32.shr_u (i32.sub (local.get $j) (local.get $out)) (i32.const 2))))
)
