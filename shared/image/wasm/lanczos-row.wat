;; Lanczos-3 warp (METHOD.md P6.2) in WebAssembly SIMD: the samples of shared/image/warp-kernels.ts
;; (lanczosRow, lanczosRowCfa), bit-identical to them, a tile of output rows per call.
;; Compiled by build/scripts/gen-wasm.js into lanczos-row.wasm.ts; driven by lanczos-wasm.ts.
;;
;; Bit-identity: the JS kernels define a float32 sum in an order made for 4 lanes, and this file
;; performs exactly those float32 operations (no fused operations: WebAssembly has none). A sample
;; keeps its 6 tap columns in two f32x4 registers, lanes 0-3 (columns 0-3) and lanes 0-1 of the
;; second (columns 4-5; its lanes 2-3 never reach the result). Tap row j adds wy[j] * row[j] to
;; every column, rows in order 0..5, the first as a plain product: the JS columnSum chain. Then
;; p = wx * columns, lanes 0, 1 become (p0 + p2) + p4 and (p1 + p3) + p5, added last into
;; lane 0: dot6. Lanes never mix columns before that, so no sum is reassociated. A fraction that
;; rounds to a whole pixel in one axis takes the sampler's one-row (dot6 alone) or one-column
;; (columnSum alone) sum and its 1x2 clamp, written out in the same operations. The clamps and NaN
;; results follow the JS kernels.
;;
;; Speed notes (V8 does not inline WebAssembly calls and spills when many vectors are live): a
;; sample is computed inline in the sample loop, the 6 tap rows in a small loop rather than
;; unrolled, the 2x2 clamp without compare-and-branch (on noise, "outside the 2x2 range" is a coin
;; toss), and interior samples two at a time so that their dependency chains overlap. Each form
;; was kept because it measured faster on a 24 MP warp.
;;
;; Memory (set up by lanczos-wasm.ts):
;;   [64, 24664)  the float32 Lanczos LUT of warp-kernels.ts copied in: 1025 fractions x 6 weights
;;   further on   the tile's outputs, its row records, the fallback list and a window of source
;;                pixels (float32).
;; A view pixel (i, j) is at byte wb + j*ysB + 4*i; only i in [iLo, iHi), j in [jLo, jHi) are in
;; the window. Addresses are formed in wrapping i32 arithmetic: wb alone may lie outside memory.
;;
;; Interior samples: a row record names the run [kLo, kHi) of samples whose position lies in
;; [0, vw - 0.5] x [0, vh - 0.5] with floor(sx) in [iLo + 2, iHi - 4] and floor(sy) in
;; [jLo + 2, jHi - 4] (the caller derives it from the affine, with a margin for the rounding of
;; the positions). Every pixel any path reads for them (taps x0-2 .. x0+3, where x0 may be
;; floor(sx) + 1 only for a whole-pixel fraction) is then in the window, whose pixels beyond the
;; frame edge repeat the edge as the JS sampler's index clamp does, so they skip the border checks.
;; Other samples are checked: a source position outside [-0.5, vw-0.5] x [-0.5, vh-0.5] gives NaN
;; here, as the JS sampler does; one the kernel does not compute (within 2-3 px of the frame edge,
;; both fractions whole, taps outside the window) goes to the fallback list as a 24-byte record
;; (f64 sx, f64 sy, i32 output byte address) for the caller to evaluate with the JS reference
;; sampler.
;;
;; The two kernels share their sample code (y pass, x pass, clamps), written out in each (no
;; calls; see the speed notes); they differ in how positions are formed. A CFA phase is first
;; copied into a window of its own by split_phase, so its taps load as a mono plane's do.
(module
  (memory (export "memory") 1)

  ;; lanczosRow over a tile: `count` row records at $rec, 32 bytes each,
  ;;   f64 sx, f64 sy   the row's first position; replaced by the position after its last sample
  ;;   i32 kLo, kHi     its interior samples (see the header)
  ;;   i32 dst          byte address of its first output (float32, 4 bytes apart)
  ;; with n samples each, sample k at (sx, sy) advanced by (a, c) k times by repeated addition.
  ;; Returns the number of fallback records written at $fb.
  (func (export "tile_mono")
    (param $count i32) (param $rec i32) (param $n i32) (param $a f64) (param $c f64) (param $vw f64) (param $vh f64)
    (param $wb i32) (param $ysB i32) (param $iLo i32) (param $iHi i32) (param $jLo i32) (param $jHi i32)
    (param $fb i32) (result i32)
    (local $sx f64) (local $sy f64)
    (local $fb0 i32) (local $k i32) (local $kLo i32) (local $kHi i32) (local $edge i32) (local $dst i32)
    (local $sx1 f64) (local $sy1 f64) (local $qx i32) (local $qy i32) (local $ix i32) (local $iy i32) (local $x0 i32) (local $y0 i32)
    (local $qx1 i32) (local $qy1 i32) (local $ix1 i32) (local $iy1 i32)
    (local $q i32) (local $r i32) (local $wx i32) (local $wy i32) (local $q1 i32) (local $r1 i32) (local $wx1 i32) (local $wy1 i32) (local $j i32)
    (local $acc f32) (local $p f32) (local $pq f32) (local $plo f32) (local $phi f32)
    (local $w v128) (local $lo v128) (local $hi v128) (local $v v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $min v128) (local $max v128)
    (local $lo1 v128) (local $hi1 v128)
    (local.set $fb0 (local.get $fb))
    (block $tileDone
      (loop $record
        (br_if $tileDone (i32.eqz (local.get $count)))
        (local.set $sx (f64.load (local.get $rec)))
        (local.set $sy (f64.load offset=8 (local.get $rec)))
        (local.set $kLo (i32.load offset=16 (local.get $rec)))
        (local.set $kHi (i32.load offset=20 (local.get $rec)))
        (local.set $dst (i32.load offset=24 (local.get $rec)))
        (local.set $k (i32.const 0))
        (block $rowDone
          (loop $next
            (br_if $rowDone (i32.ge_s (local.get $k) (local.get $n)))
            (block $advance
              (block $pair
                ;; two interior samples k, k+1 with fractions off the whole pixel, side by side: their
                ;; dependency chains overlap (one sample at a time leaves the core waiting on each)
                (if (i32.and (i32.ge_s (local.get $k) (local.get $kLo)) (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $kHi)))
                  (then
                    (local.set $sx1 (f64.add (local.get $sx) (local.get $a)))
                    (local.set $sy1 (f64.add (local.get $sy) (local.get $c)))
                    (local.set $qx (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $qy (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $qx1 (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx1) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $qy1 (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy1) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
                    (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
                    (local.set $ix1 (i32.and (local.get $qx1) (i32.const 1023)))
                    (local.set $iy1 (i32.and (local.get $qy1) (i32.const 1023)))
                    (if (i32.and (i32.and (i32.ne (local.get $ix) (i32.const 0)) (i32.ne (local.get $iy) (i32.const 0)))
                                 (i32.and (i32.ne (local.get $ix1) (i32.const 0)) (i32.ne (local.get $iy1) (i32.const 0))))
                      (then
                        (local.set $q (i32.add (local.get $wb) (i32.add (i32.mul (i32.shr_s (local.get $qy) (i32.const 10)) (local.get $ysB)) (i32.shl (i32.shr_s (local.get $qx) (i32.const 10)) (i32.const 2)))))
                        (local.set $q1 (i32.add (local.get $wb) (i32.add (i32.mul (i32.shr_s (local.get $qy1) (i32.const 10)) (local.get $ysB)) (i32.shl (i32.shr_s (local.get $qx1) (i32.const 10)) (i32.const 2)))))
                        (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 24))))
                        (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 24))))
                        (local.set $wx1 (i32.add (i32.const 64) (i32.mul (local.get $ix1) (i32.const 24))))
                        (local.set $wy1 (i32.add (i32.const 64) (i32.mul (local.get $iy1) (i32.const 24))))
                        (local.set $r (i32.sub (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
                        (local.set $r1 (i32.sub (i32.sub (local.get $q1) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
                        (local.set $w (v128.load32_splat (local.get $wy)))
                        (local.set $lo (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w)))
                        (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w)))
                        (local.set $w (v128.load32_splat (local.get $wy1)))
                        (local.set $lo1 (f32x4.mul (v128.load offset=0 (local.get $r1)) (local.get $w)))
                        (local.set $hi1 (f32x4.mul (v128.load64_zero offset=16 (local.get $r1)) (local.get $w)))
                        (local.set $j (i32.const 4))
                        (loop $rows2
                          (local.set $r (i32.add (local.get $r) (local.get $ysB)))
                          (local.set $r1 (i32.add (local.get $r1) (local.get $ysB)))
                          (local.set $w (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))
                          (local.set $lo (f32x4.add (local.get $lo) (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w))))
                          (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w))))
                          (local.set $w (v128.load32_splat (i32.add (local.get $wy1) (local.get $j))))
                          (local.set $lo1 (f32x4.add (local.get $lo1) (f32x4.mul (v128.load offset=0 (local.get $r1)) (local.get $w))))
                          (local.set $hi1 (f32x4.add (local.get $hi1) (f32x4.mul (v128.load64_zero offset=16 (local.get $r1)) (local.get $w))))
                          (local.set $j (i32.add (local.get $j) (i32.const 4)))
                          (br_if $rows2 (i32.lt_u (local.get $j) (i32.const 24))))
                        (local.set $lo (f32x4.mul (local.get $lo) (v128.load (local.get $wx))))
                        (local.set $hi (f32x4.mul (local.get $hi) (v128.load64_zero offset=16 (local.get $wx))))
                        (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
                        (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
                        (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
                        (local.set $lo1 (f32x4.mul (local.get $lo1) (v128.load (local.get $wx1))))
                        (local.set $hi1 (f32x4.mul (local.get $hi1) (v128.load64_zero offset=16 (local.get $wx1))))
                        (local.set $lo1 (f32x4.add (local.get $lo1) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo1) (local.get $lo1))))
                        (local.set $lo1 (f32x4.add (local.get $lo1) (local.get $hi1)))
                        (local.set $lo1 (f32x4.add (local.get $lo1) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo1) (local.get $lo1))))
                        (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                          (v128.load64_zero (local.get $q)) (v128.load64_zero (i32.add (local.get $q) (local.get $ysB)))))
                        (local.set $v1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))
                        (local.set $v2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))
                        (local.set $v3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))
                        (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $v1) (local.get $v)) (local.get $v2)) (local.get $v3)))
                        (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $v) (local.get $v1)) (local.get $v2)) (local.get $v3)))
                        (local.set $lo (f32x4.pmax (f32x4.pmin (local.get $lo) (local.get $max)) (local.get $min)))
                        (local.set $lo (v128.bitselect (local.get $lo) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo) (local.get $lo))))
                        (v128.store32_lane 0 (local.get $dst) (local.get $lo))
                        (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                          (v128.load64_zero (local.get $q1)) (v128.load64_zero (i32.add (local.get $q1) (local.get $ysB)))))
                        (local.set $v1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))
                        (local.set $v2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))
                        (local.set $v3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))
                        (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $v1) (local.get $v)) (local.get $v2)) (local.get $v3)))
                        (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $v) (local.get $v1)) (local.get $v2)) (local.get $v3)))
                        (local.set $lo1 (f32x4.pmax (f32x4.pmin (local.get $lo1) (local.get $max)) (local.get $min)))
                        (local.set $lo1 (v128.bitselect (local.get $lo1) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo1) (local.get $lo1))))
                        (v128.store32_lane offset=4 0 (local.get $dst) (local.get $lo1))
                        (br $pair)))))
                (local.set $edge (i32.or (i32.lt_s (local.get $k) (local.get $kLo)) (i32.ge_s (local.get $k) (local.get $kHi))))
                (block $slow
                  ;; x0 = floor(sx) in [2, vw-4] and the same for y: all 36 taps inside the view
                  (if (local.get $edge)
                    (then
                      (br_if $slow (i32.eqz (i32.and
                        (i32.and (f64.ge (local.get $sx) (f64.const 2)) (f64.lt (local.get $sx) (f64.sub (local.get $vw) (f64.const 3))))
                        (i32.and (f64.ge (local.get $sy) (f64.const 2)) (f64.lt (local.get $sy) (f64.sub (local.get $vh) (f64.const 3)))))))))
                  ;; Math.round(q) for q = s*1024 in [0, 2^31) (interior samples lie at s >= 0, checked ones at
                  ;; s >= 2): q + 0.5 is exact or rounds within the same integer, so truncating it is Math.round
                  ;; (not so below 0); qx = 1024*x0 + ix
                  (local.set $qx (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx) (f64.const 1024)) (f64.const 0.5))))
                  (local.set $qy (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy) (f64.const 1024)) (f64.const 0.5))))
                  (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
                  (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
                  (if (local.get $edge)
                    (then
                      (local.set $x0 (i32.shr_s (local.get $qx) (i32.const 10)))
                      (local.set $y0 (i32.shr_s (local.get $qy) (i32.const 10)))
                      (br_if $slow (i32.or
                        (i32.or (i32.lt_s (i32.sub (local.get $x0) (i32.const 2)) (local.get $iLo)) (i32.ge_s (i32.add (local.get $x0) (i32.const 3)) (local.get $iHi)))
                        (i32.or (i32.lt_s (i32.sub (local.get $y0) (i32.const 2)) (local.get $jLo)) (i32.ge_s (i32.add (local.get $y0) (i32.const 3)) (local.get $jHi)))))))
                  ;; q: pixel (x0, y0); the weights of fraction i at 64 + 24*i
                  (local.set $q (i32.add (local.get $wb) (i32.add (i32.mul (i32.shr_s (local.get $qy) (i32.const 10)) (local.get $ysB)) (i32.shl (i32.shr_s (local.get $qx) (i32.const 10)) (i32.const 2)))))
                  (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 24))))
                  (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 24))))
                  (if (i32.or (i32.eqz (local.get $ix)) (i32.eqz (local.get $iy)))
                    (then
                      ;; a whole-pixel fraction: the sampler's one-row or one-column sum and its 1x2 clamp; both
                      ;; whole is the source pixel itself, left to the JS sampler (it keeps the NaN payload)
                      (br_if $slow (i32.eqz (i32.or (local.get $ix) (local.get $iy))))
                      (if (i32.eqz (local.get $iy))
                        (then
                          ;; one row: dot6 of the taps (x0-2 .. x0+3, y0), the x pass below on a single row
                          (local.set $r (i32.sub (local.get $q) (i32.const 8)))
                          (local.set $lo (f32x4.mul (v128.load offset=0 (local.get $r)) (v128.load (local.get $wx))))
                          (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (v128.load64_zero offset=16 (local.get $wx))))
                          (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
                          (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
                          (local.set $acc (f32.add (f32x4.extract_lane 0 (local.get $lo)) (f32x4.extract_lane 1 (local.get $lo))))
                          (local.set $pq (f32.load offset=4 (local.get $q))))
                        (else
                          ;; one column: columnSum of the taps (x0, y0-2 .. y0+3), row by row
                          (local.set $r (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))))
                          (local.set $acc (f32.mul (f32.load (local.get $r)) (f32.load (local.get $wy))))
                          (local.set $j (i32.const 4))
                          (loop $taps
                            (local.set $r (i32.add (local.get $r) (local.get $ysB)))
                            (local.set $acc (f32.add (local.get $acc) (f32.mul (f32.load (local.get $r)) (f32.load (i32.add (local.get $wy) (local.get $j))))))
                            (local.set $j (i32.add (local.get $j) (i32.const 4)))
                            (br_if $taps (i32.lt_u (local.get $j) (i32.const 24))))
                          (local.set $pq (f32.load (i32.add (local.get $q) (local.get $ysB))))))
                      ;; lo, hi of the two nearest sources p, pq as the sampler orders them, then
                      ;; acc < lo ? lo : acc > hi ? hi : acc, and a NaN acc as the canonical NaN
                      (local.set $p (f32.load (local.get $q)))
                      (local.set $plo (select (local.get $p) (local.get $pq) (f32.lt (local.get $p) (local.get $pq))))
                      (local.set $phi (select (local.get $pq) (local.get $p) (f32.lt (local.get $p) (local.get $pq))))
                      (local.set $acc (select (local.get $plo)
                        (select (local.get $phi) (local.get $acc) (f32.gt (local.get $acc) (local.get $phi)))
                        (f32.lt (local.get $acc) (local.get $plo))))
                      (f32.store (local.get $dst) (select (f32.const nan) (local.get $acc) (f32.ne (local.get $acc) (local.get $acc))))
                      (br $advance)))
                  ;; r: tap row j, from tap (x0-2, y0-2)
                  (local.set $r (i32.sub (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
                  ;; the y pass, columnSum: tap row j (lanes 0-3 and 4-5) times wy[j] added to the columns
                  (local.set $w (v128.load32_splat (local.get $wy)))
                  (local.set $lo (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w)))
                  (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w)))
                  (local.set $j (i32.const 4))
                  (loop $rows
                    (local.set $r (i32.add (local.get $r) (local.get $ysB)))
                    (local.set $w (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))
                    (local.set $lo (f32x4.add (local.get $lo) (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w))))
                    (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br_if $rows (i32.lt_u (local.get $j) (i32.const 24))))
                  ;; the x pass, dot6: lanes 0, 1 = (p0 + p2) + p4, (p1 + p3) + p5 with p = wx * columns, then
                  ;; their sum in lane 0
                  (local.set $lo (f32x4.mul (local.get $lo) (v128.load (local.get $wx))))
                  (local.set $hi (f32x4.mul (local.get $hi) (v128.load64_zero offset=16 (local.get $wx))))
                  (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
                  (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
                  (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
                  ;; clamp2x2 on [p00, p10, p01, p11]: min4 and max4 by the JS compare-and-select chain
                  ;; (pmin(x, y) = y < x ? y : x, so a -0/+0 tie keeps the same zero); then acc > max -> max,
                  ;; acc < min -> min (pmax(x, y) = x < y ? y : x), else acc; a NaN acc (a NaN tap) passes both
                  ;; and becomes the canonical quiet NaN, whatever the payload of the source NaN
                  (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                    (v128.load64_zero (local.get $q)) (v128.load64_zero (i32.add (local.get $q) (local.get $ysB)))))
                  (local.set $v1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))
                  (local.set $v2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))
                  (local.set $v3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))
                  (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $v1) (local.get $v)) (local.get $v2)) (local.get $v3)))
                  (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $v) (local.get $v1)) (local.get $v2)) (local.get $v3)))
                  (local.set $lo (f32x4.pmax (f32x4.pmin (local.get $lo) (local.get $max)) (local.get $min)))
                  (local.set $lo (v128.bitselect (local.get $lo) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo) (local.get $lo))))
                  (v128.store32_lane 0 (local.get $dst) (local.get $lo))
                  (br $advance)
                )
                ;; outside [-0.5, vw-0.5] x [-0.5, vh-0.5]: NaN, the sampler's first rule
                (if (i32.eqz (i32.and
                      (i32.and (f64.ge (local.get $sx) (f64.const -0.5)) (f64.le (local.get $sx) (f64.sub (local.get $vw) (f64.const 0.5))))
                      (i32.and (f64.ge (local.get $sy) (f64.const -0.5)) (f64.le (local.get $sy) (f64.sub (local.get $vh) (f64.const 0.5))))))
                  (then
                    (f32.store (local.get $dst) (f32.const nan))
                    (br $advance)))
                (f64.store (local.get $fb) (local.get $sx))
                (f64.store offset=8 (local.get $fb) (local.get $sy))
                (i32.store offset=16 (local.get $fb) (local.get $dst))
                (local.set $fb (i32.add (local.get $fb) (i32.const 24)))
                (br $advance))
              ;; a pair was done
              (local.set $sx (f64.add (local.get $sx1) (local.get $a)))
              (local.set $sy (f64.add (local.get $sy1) (local.get $c)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
              (local.set $k (i32.add (local.get $k) (i32.const 2)))
              (br $next))
            (local.set $sx (f64.add (local.get $sx) (local.get $a)))
            (local.set $sy (f64.add (local.get $sy) (local.get $c)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $next)))
        (f64.store (local.get $rec) (local.get $sx))
        (f64.store offset=8 (local.get $rec) (local.get $sy))
        (local.set $rec (i32.add (local.get $rec) (i32.const 32)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $record)))
    (i32.div_u (i32.sub (local.get $fb) (local.get $fb0)) (i32.const 24)))

  ;; lanczosRowCfa over a tile: `count` records at $rec, 96 bytes each, one per output row and phase,
  ;;   f64 bv, cx, dv, cy, vw, vh       sample k at (a*u + bv + cx, c*u + dv + cy), u = u0 + k, of
  ;;                                    the phase view vw x vh
  ;;   i32 wb, iLo, iHi, jLo, jHi       the phase's addressing in its window (see the header)
  ;;   i32 n, kLo, kHi                  its sample count and interior samples
  ;;   i32 dst                          byte address of its first output (float32, 8 bytes apart)
  ;;   i32 ysB                          the phase window's row length in bytes
  ;; The caller copies each phase into a window of its own (split_phase), so the taps load as in
  ;; tile_mono.
  ;; Returns the number of fallback records written at $fb.
  (func (export "tile_cfa")
    (param $count i32) (param $rec i32) (param $u0 i32) (param $a f64) (param $c f64) (param $fb i32) (result i32)
    (local $sx f64) (local $sy f64) (local $uf f64) (local $bv f64) (local $cx f64) (local $dv f64) (local $cy f64) (local $vw f64) (local $vh f64)
    (local $wb i32) (local $ysB i32) (local $iLo i32) (local $iHi i32) (local $jLo i32) (local $jHi i32) (local $n i32)
    (local $fb0 i32) (local $k i32) (local $kLo i32) (local $kHi i32) (local $edge i32) (local $dst i32)
    (local $sx1 f64) (local $sy1 f64) (local $qx i32) (local $qy i32) (local $ix i32) (local $iy i32) (local $x0 i32) (local $y0 i32)
    (local $qx1 i32) (local $qy1 i32) (local $ix1 i32) (local $iy1 i32)
    (local $q i32) (local $r i32) (local $wx i32) (local $wy i32) (local $q1 i32) (local $r1 i32) (local $wx1 i32) (local $wy1 i32) (local $j i32)
    (local $acc f32) (local $p f32) (local $pq f32) (local $plo f32) (local $phi f32)
    (local $w v128) (local $lo v128) (local $hi v128) (local $v v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $min v128) (local $max v128)
    (local $lo1 v128) (local $hi1 v128)
    (local.set $fb0 (local.get $fb))
    (block $tileDone
      (loop $record
        (br_if $tileDone (i32.eqz (local.get $count)))
        (local.set $bv (f64.load (local.get $rec)))
        (local.set $cx (f64.load offset=8 (local.get $rec)))
        (local.set $dv (f64.load offset=16 (local.get $rec)))
        (local.set $cy (f64.load offset=24 (local.get $rec)))
        (local.set $vw (f64.load offset=32 (local.get $rec)))
        (local.set $vh (f64.load offset=40 (local.get $rec)))
        (local.set $wb (i32.load offset=48 (local.get $rec)))
        (local.set $iLo (i32.load offset=52 (local.get $rec)))
        (local.set $iHi (i32.load offset=56 (local.get $rec)))
        (local.set $jLo (i32.load offset=60 (local.get $rec)))
        (local.set $jHi (i32.load offset=64 (local.get $rec)))
        (local.set $n (i32.load offset=68 (local.get $rec)))
        (local.set $kLo (i32.load offset=72 (local.get $rec)))
        (local.set $kHi (i32.load offset=76 (local.get $rec)))
        (local.set $dst (i32.load offset=80 (local.get $rec)))
        (local.set $ysB (i32.load offset=84 (local.get $rec)))
        (local.set $k (i32.const 0))
        (block $rowDone
          (loop $next
            (br_if $rowDone (i32.ge_s (local.get $k) (local.get $n)))
            (local.set $uf (f64.convert_i32_s (i32.add (local.get $u0) (local.get $k))))
            (local.set $sx (f64.add (f64.add (f64.mul (local.get $a) (local.get $uf)) (local.get $bv)) (local.get $cx)))
            (local.set $sy (f64.add (f64.add (f64.mul (local.get $c) (local.get $uf)) (local.get $dv)) (local.get $cy)))
            (block $advance
              (block $pair
                ;; two interior samples k, k+1 with fractions off the whole pixel, side by side: their
                ;; dependency chains overlap (one sample at a time leaves the core waiting on each)
                (if (i32.and (i32.ge_s (local.get $k) (local.get $kLo)) (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $kHi)))
                  (then
                    (local.set $uf (f64.add (local.get $uf) (f64.const 1)))
                    (local.set $sx1 (f64.add (f64.add (f64.mul (local.get $a) (local.get $uf)) (local.get $bv)) (local.get $cx)))
                    (local.set $sy1 (f64.add (f64.add (f64.mul (local.get $c) (local.get $uf)) (local.get $dv)) (local.get $cy)))
                    (local.set $qx (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $qy (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $qx1 (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx1) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $qy1 (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy1) (f64.const 1024)) (f64.const 0.5))))
                    (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
                    (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
                    (local.set $ix1 (i32.and (local.get $qx1) (i32.const 1023)))
                    (local.set $iy1 (i32.and (local.get $qy1) (i32.const 1023)))
                    (if (i32.and (i32.and (i32.ne (local.get $ix) (i32.const 0)) (i32.ne (local.get $iy) (i32.const 0)))
                                 (i32.and (i32.ne (local.get $ix1) (i32.const 0)) (i32.ne (local.get $iy1) (i32.const 0))))
                      (then
                        (local.set $q (i32.add (local.get $wb) (i32.add (i32.mul (i32.shr_s (local.get $qy) (i32.const 10)) (local.get $ysB)) (i32.shl (i32.shr_s (local.get $qx) (i32.const 10)) (i32.const 2)))))
                        (local.set $q1 (i32.add (local.get $wb) (i32.add (i32.mul (i32.shr_s (local.get $qy1) (i32.const 10)) (local.get $ysB)) (i32.shl (i32.shr_s (local.get $qx1) (i32.const 10)) (i32.const 2)))))
                        (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 24))))
                        (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 24))))
                        (local.set $wx1 (i32.add (i32.const 64) (i32.mul (local.get $ix1) (i32.const 24))))
                        (local.set $wy1 (i32.add (i32.const 64) (i32.mul (local.get $iy1) (i32.const 24))))
                        (local.set $r (i32.sub (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
                        (local.set $r1 (i32.sub (i32.sub (local.get $q1) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
                        (local.set $w (v128.load32_splat (local.get $wy)))
                        (local.set $lo (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w)))
                        (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w)))
                        (local.set $w (v128.load32_splat (local.get $wy1)))
                        (local.set $lo1 (f32x4.mul (v128.load offset=0 (local.get $r1)) (local.get $w)))
                        (local.set $hi1 (f32x4.mul (v128.load64_zero offset=16 (local.get $r1)) (local.get $w)))
                        (local.set $j (i32.const 4))
                        (loop $rows2
                          (local.set $r (i32.add (local.get $r) (local.get $ysB)))
                          (local.set $r1 (i32.add (local.get $r1) (local.get $ysB)))
                          (local.set $w (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))
                          (local.set $lo (f32x4.add (local.get $lo) (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w))))
                          (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w))))
                          (local.set $w (v128.load32_splat (i32.add (local.get $wy1) (local.get $j))))
                          (local.set $lo1 (f32x4.add (local.get $lo1) (f32x4.mul (v128.load offset=0 (local.get $r1)) (local.get $w))))
                          (local.set $hi1 (f32x4.add (local.get $hi1) (f32x4.mul (v128.load64_zero offset=16 (local.get $r1)) (local.get $w))))
                          (local.set $j (i32.add (local.get $j) (i32.const 4)))
                          (br_if $rows2 (i32.lt_u (local.get $j) (i32.const 24))))
                        (local.set $lo (f32x4.mul (local.get $lo) (v128.load (local.get $wx))))
                        (local.set $hi (f32x4.mul (local.get $hi) (v128.load64_zero offset=16 (local.get $wx))))
                        (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
                        (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
                        (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
                        (local.set $lo1 (f32x4.mul (local.get $lo1) (v128.load (local.get $wx1))))
                        (local.set $hi1 (f32x4.mul (local.get $hi1) (v128.load64_zero offset=16 (local.get $wx1))))
                        (local.set $lo1 (f32x4.add (local.get $lo1) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo1) (local.get $lo1))))
                        (local.set $lo1 (f32x4.add (local.get $lo1) (local.get $hi1)))
                        (local.set $lo1 (f32x4.add (local.get $lo1) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo1) (local.get $lo1))))
                        (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                          (v128.load64_zero (local.get $q)) (v128.load64_zero (i32.add (local.get $q) (local.get $ysB)))))
                        (local.set $v1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))
                        (local.set $v2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))
                        (local.set $v3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))
                        (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $v1) (local.get $v)) (local.get $v2)) (local.get $v3)))
                        (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $v) (local.get $v1)) (local.get $v2)) (local.get $v3)))
                        (local.set $lo (f32x4.pmax (f32x4.pmin (local.get $lo) (local.get $max)) (local.get $min)))
                        (local.set $lo (v128.bitselect (local.get $lo) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo) (local.get $lo))))
                        (v128.store32_lane 0 (local.get $dst) (local.get $lo))
                        (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                          (v128.load64_zero (local.get $q1)) (v128.load64_zero (i32.add (local.get $q1) (local.get $ysB)))))
                        (local.set $v1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))
                        (local.set $v2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))
                        (local.set $v3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))
                        (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $v1) (local.get $v)) (local.get $v2)) (local.get $v3)))
                        (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $v) (local.get $v1)) (local.get $v2)) (local.get $v3)))
                        (local.set $lo1 (f32x4.pmax (f32x4.pmin (local.get $lo1) (local.get $max)) (local.get $min)))
                        (local.set $lo1 (v128.bitselect (local.get $lo1) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo1) (local.get $lo1))))
                        (v128.store32_lane offset=8 0 (local.get $dst) (local.get $lo1))
                        (br $pair)))))
                (local.set $edge (i32.or (i32.lt_s (local.get $k) (local.get $kLo)) (i32.ge_s (local.get $k) (local.get $kHi))))
                (block $slow
                  ;; x0 = floor(sx) in [2, vw-4] and the same for y: all 36 taps inside the view
                  (if (local.get $edge)
                    (then
                      (br_if $slow (i32.eqz (i32.and
                        (i32.and (f64.ge (local.get $sx) (f64.const 2)) (f64.lt (local.get $sx) (f64.sub (local.get $vw) (f64.const 3))))
                        (i32.and (f64.ge (local.get $sy) (f64.const 2)) (f64.lt (local.get $sy) (f64.sub (local.get $vh) (f64.const 3)))))))))
                  ;; Math.round(q) for q = s*1024 in [0, 2^31) (interior samples lie at s >= 0, checked ones at
                  ;; s >= 2): q + 0.5 is exact or rounds within the same integer, so truncating it is Math.round
                  ;; (not so below 0); qx = 1024*x0 + ix
                  (local.set $qx (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx) (f64.const 1024)) (f64.const 0.5))))
                  (local.set $qy (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy) (f64.const 1024)) (f64.const 0.5))))
                  (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
                  (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
                  (if (local.get $edge)
                    (then
                      (local.set $x0 (i32.shr_s (local.get $qx) (i32.const 10)))
                      (local.set $y0 (i32.shr_s (local.get $qy) (i32.const 10)))
                      (br_if $slow (i32.or
                        (i32.or (i32.lt_s (i32.sub (local.get $x0) (i32.const 2)) (local.get $iLo)) (i32.ge_s (i32.add (local.get $x0) (i32.const 3)) (local.get $iHi)))
                        (i32.or (i32.lt_s (i32.sub (local.get $y0) (i32.const 2)) (local.get $jLo)) (i32.ge_s (i32.add (local.get $y0) (i32.const 3)) (local.get $jHi)))))))
                  ;; q: pixel (x0, y0); the weights of fraction i at 64 + 24*i
                  (local.set $q (i32.add (local.get $wb) (i32.add (i32.mul (i32.shr_s (local.get $qy) (i32.const 10)) (local.get $ysB)) (i32.shl (i32.shr_s (local.get $qx) (i32.const 10)) (i32.const 2)))))
                  (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 24))))
                  (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 24))))
                  (if (i32.or (i32.eqz (local.get $ix)) (i32.eqz (local.get $iy)))
                    (then
                      ;; a whole-pixel fraction: the sampler's one-row or one-column sum and its 1x2 clamp; both
                      ;; whole is the source pixel itself, left to the JS sampler (it keeps the NaN payload)
                      (br_if $slow (i32.eqz (i32.or (local.get $ix) (local.get $iy))))
                      (if (i32.eqz (local.get $iy))
                        (then
                          ;; one row: dot6 of the taps (x0-2 .. x0+3, y0), the x pass below on a single row
                          (local.set $r (i32.sub (local.get $q) (i32.const 8)))
                          (local.set $lo (f32x4.mul (v128.load offset=0 (local.get $r)) (v128.load (local.get $wx))))
                          (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (v128.load64_zero offset=16 (local.get $wx))))
                          (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
                          (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
                          (local.set $acc (f32.add (f32x4.extract_lane 0 (local.get $lo)) (f32x4.extract_lane 1 (local.get $lo))))
                          (local.set $pq (f32.load offset=4 (local.get $q))))
                        (else
                          ;; one column: columnSum of the taps (x0, y0-2 .. y0+3), row by row
                          (local.set $r (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))))
                          (local.set $acc (f32.mul (f32.load (local.get $r)) (f32.load (local.get $wy))))
                          (local.set $j (i32.const 4))
                          (loop $taps
                            (local.set $r (i32.add (local.get $r) (local.get $ysB)))
                            (local.set $acc (f32.add (local.get $acc) (f32.mul (f32.load (local.get $r)) (f32.load (i32.add (local.get $wy) (local.get $j))))))
                            (local.set $j (i32.add (local.get $j) (i32.const 4)))
                            (br_if $taps (i32.lt_u (local.get $j) (i32.const 24))))
                          (local.set $pq (f32.load (i32.add (local.get $q) (local.get $ysB))))))
                      ;; lo, hi of the two nearest sources p, pq as the sampler orders them, then
                      ;; acc < lo ? lo : acc > hi ? hi : acc, and a NaN acc as the canonical NaN
                      (local.set $p (f32.load (local.get $q)))
                      (local.set $plo (select (local.get $p) (local.get $pq) (f32.lt (local.get $p) (local.get $pq))))
                      (local.set $phi (select (local.get $pq) (local.get $p) (f32.lt (local.get $p) (local.get $pq))))
                      (local.set $acc (select (local.get $plo)
                        (select (local.get $phi) (local.get $acc) (f32.gt (local.get $acc) (local.get $phi)))
                        (f32.lt (local.get $acc) (local.get $plo))))
                      (f32.store (local.get $dst) (select (f32.const nan) (local.get $acc) (f32.ne (local.get $acc) (local.get $acc))))
                      (br $advance)))
                  ;; r: tap row j, from tap (x0-2, y0-2)
                  (local.set $r (i32.sub (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
                  ;; the y pass, columnSum: tap row j (lanes 0-3 and 4-5) times wy[j] added to the columns
                  (local.set $w (v128.load32_splat (local.get $wy)))
                  (local.set $lo (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w)))
                  (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w)))
                  (local.set $j (i32.const 4))
                  (loop $rows
                    (local.set $r (i32.add (local.get $r) (local.get $ysB)))
                    (local.set $w (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))
                    (local.set $lo (f32x4.add (local.get $lo) (f32x4.mul (v128.load offset=0 (local.get $r)) (local.get $w))))
                    (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (local.get $w))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br_if $rows (i32.lt_u (local.get $j) (i32.const 24))))
                  ;; the x pass, dot6: lanes 0, 1 = (p0 + p2) + p4, (p1 + p3) + p5 with p = wx * columns, then
                  ;; their sum in lane 0
                  (local.set $lo (f32x4.mul (local.get $lo) (v128.load (local.get $wx))))
                  (local.set $hi (f32x4.mul (local.get $hi) (v128.load64_zero offset=16 (local.get $wx))))
                  (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
                  (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
                  (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
                  ;; clamp2x2 on [p00, p10, p01, p11]: min4 and max4 by the JS compare-and-select chain
                  ;; (pmin(x, y) = y < x ? y : x, so a -0/+0 tie keeps the same zero); then acc > max -> max,
                  ;; acc < min -> min (pmax(x, y) = x < y ? y : x), else acc; a NaN acc (a NaN tap) passes both
                  ;; and becomes the canonical quiet NaN, whatever the payload of the source NaN
                  (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                    (v128.load64_zero (local.get $q)) (v128.load64_zero (i32.add (local.get $q) (local.get $ysB)))))
                  (local.set $v1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))
                  (local.set $v2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))
                  (local.set $v3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))
                  (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $v1) (local.get $v)) (local.get $v2)) (local.get $v3)))
                  (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $v) (local.get $v1)) (local.get $v2)) (local.get $v3)))
                  (local.set $lo (f32x4.pmax (f32x4.pmin (local.get $lo) (local.get $max)) (local.get $min)))
                  (local.set $lo (v128.bitselect (local.get $lo) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo) (local.get $lo))))
                  (v128.store32_lane 0 (local.get $dst) (local.get $lo))
                  (br $advance)
                )
                ;; outside [-0.5, vw-0.5] x [-0.5, vh-0.5]: NaN, the sampler's first rule
                (if (i32.eqz (i32.and
                      (i32.and (f64.ge (local.get $sx) (f64.const -0.5)) (f64.le (local.get $sx) (f64.sub (local.get $vw) (f64.const 0.5))))
                      (i32.and (f64.ge (local.get $sy) (f64.const -0.5)) (f64.le (local.get $sy) (f64.sub (local.get $vh) (f64.const 0.5))))))
                  (then
                    (f32.store (local.get $dst) (f32.const nan))
                    (br $advance)))
                (f64.store (local.get $fb) (local.get $sx))
                (f64.store offset=8 (local.get $fb) (local.get $sy))
                (i32.store offset=16 (local.get $fb) (local.get $dst))
                (local.set $fb (i32.add (local.get $fb) (i32.const 24)))
                (br $advance))
              ;; a pair was done

              (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
              (local.set $k (i32.add (local.get $k) (i32.const 2)))
              (br $next))

            (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $next)))
        (local.set $rec (i32.add (local.get $rec) (i32.const 96)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $record)))
    (i32.div_u (i32.sub (local.get $fb) (local.get $fb0)) (i32.const 24)))

  ;; One CFA phase of a raw window into a window of its own: rows of pw floats taken every second
  ;; float from $src (rows $srcRowB bytes apart) to $dst, rows side by side. Bit copies (f32x4
  ;; shuffles and i32 loads and stores), NaN payloads included.
  (func (export "split_phase") (param $src i32) (param $srcRowB i32) (param $dst i32) (param $pw i32) (param $ph i32)
    (local $s i32) (local $i i32)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $ph)))
        (local.set $s (local.get $src))
        (local.set $i (local.get $pw))
        (block $tail
          (loop $quad
            (br_if $tail (i32.lt_u (local.get $i) (i32.const 4)))
            (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
              (v128.load (local.get $s)) (v128.load offset=16 (local.get $s))))
            (local.set $s (i32.add (local.get $s) (i32.const 32)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $i (i32.sub (local.get $i) (i32.const 4)))
            (br $quad)))
        (block $rowDone
          (loop $single
            (br_if $rowDone (i32.eqz (local.get $i)))
            (i32.store (local.get $dst) (i32.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $single)))
        (local.set $src (i32.add (local.get $src) (local.get $srcRowB)))
        (local.set $ph (i32.sub (local.get $ph) (i32.const 1)))
        (br $row))))
)
