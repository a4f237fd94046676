;; Lanczos-3 warp rows (METHOD.md P6.2) in WebAssembly SIMD: the interior 36-tap samples of
;; shared/image/warp-kernels.ts (lanczosRow, lanczosRowCfa), bit-identical to them.
;; Compiled by build/scripts/gen-wasm.js into lanczos-row.wasm.ts; driven by lanczos-wasm.ts.
;;
;; Bit-identity: the JS kernels define a float32 sum in an order made for 4 lanes, and this file
;; performs exactly those float32 operations (no fused operations: WebAssembly has none). A sample
;; keeps its 6 tap columns in two f32x4 registers, lanes 0-3 (columns 0-3) and lanes 0-1 of the
;; second (columns 4-5; its lanes 2-3 never reach the result). Tap row j adds wy[j] * row[j] to
;; every column, rows in order 0..5, the first as a plain product: the JS columnSum chain. Then
;; p = wx * columns, lanes 0, 1 become (p0 + p2) + p4 and (p1 + p3) + p5, added last into
;; lane 0: dot6. Lanes never mix columns before that, so no sum is reassociated. The 2x2 clamp
;; and NaN results follow the JS kernels.
;;
;; Speed notes (V8 does not inline WebAssembly calls and spills when many vectors are live): the
;; sample is computed inline in the row loop, the 6 tap rows in a small loop rather than unrolled,
;; and the clamp without compare-and-branch (on noise, "outside the 2x2 range" is a coin toss).
;; Each form was kept because it measured faster on a 24 MP warp.
;;
;; Memory (set up by lanczos-wasm.ts):
;;   [0, 16)      the positions after the last sample of row_mono (f64 sx, f64 sy)
;;   [64, 24664)  the float32 Lanczos LUT of warp-kernels.ts copied in: 1025 fractions x 6 weights
;;   further on   the output row, the fallback list and a window of source pixels (float32).
;; A view pixel (i, j) is at byte wb + j*ysB + i*xsB; only i in [iLo, iHi), j in [jLo, jHi) are in
;; the window. Addresses are formed in wrapping i32 arithmetic: wb alone may lie outside memory.
;;
;; A source position outside [-0.5, vw-0.5] x [-0.5, vh-0.5] gives NaN here, as the JS sampler
;; does. Another sample the kernel does not compute (near the border, a fraction that rounds to a
;; whole pixel, taps outside the window) goes to the fallback list as a 24-byte record
;; (f64 sx, f64 sy, i32 index) for the caller to evaluate with the JS reference sampler.
;;
;; The two exported row functions share their tail (y pass, x pass, clamp), written out in each
;; (no calls; see the speed notes).
(module
  (memory (export "memory") 1)

  ;; lanczosRow: n samples from (sx, sy), advancing by (a, c) per sample by repeated addition,
  ;; into float32 at $out + 4*k. Stores the positions after the last sample at [0, 16) so the
  ;; caller can continue the row in the next column tile. Returns the fallback count.
  (func (export "row_mono")
    (param $n i32) (param $sx f64) (param $sy f64) (param $a f64) (param $c f64)
    (param $vw f64) (param $vh f64)
    (param $wb i32) (param $ysB i32) (param $iLo i32) (param $iHi i32) (param $jLo i32) (param $jHi i32)
    (param $out i32) (param $fb i32) (result i32)
    (local $k i32) (local $nf i32) (local $qx i32) (local $qy i32) (local $ix i32) (local $iy i32)
    (local $x0 i32) (local $y0 i32) (local $q i32) (local $r i32) (local $wx i32) (local $wy i32) (local $j i32)
    (local $lo v128) (local $hi v128) (local $p v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $min v128) (local $max v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (block $advance
          (block $fallback
            ;; x0 = floor(sx) in [2, vw-4] and the same for y: all 36 taps inside the view
            (br_if $fallback (i32.eqz (i32.and
              (i32.and (f64.ge (local.get $sx) (f64.const 2)) (f64.lt (local.get $sx) (f64.sub (local.get $vw) (f64.const 3))))
              (i32.and (f64.ge (local.get $sy) (f64.const 2)) (f64.lt (local.get $sy) (f64.sub (local.get $vh) (f64.const 3)))))))
            ;; Math.round(q) for q = s*1024 in [2048, 2^31): q + 0.5 is exact or rounds within the
            ;; same integer, so truncating it is Math.round
            (local.set $qx (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx) (f64.const 1024)) (f64.const 0.5))))
            (local.set $qy (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy) (f64.const 1024)) (f64.const 0.5))))
            (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
            (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
            (br_if $fallback (i32.or (i32.eqz (local.get $ix)) (i32.eqz (local.get $iy))))
            (local.set $x0 (i32.shr_s (local.get $qx) (i32.const 10)))
            (local.set $y0 (i32.shr_s (local.get $qy) (i32.const 10)))
            (br_if $fallback (i32.or
              (i32.or (i32.lt_s (i32.sub (local.get $x0) (i32.const 2)) (local.get $iLo)) (i32.ge_s (i32.add (local.get $x0) (i32.const 3)) (local.get $iHi)))
              (i32.or (i32.lt_s (i32.sub (local.get $y0) (i32.const 2)) (local.get $jLo)) (i32.ge_s (i32.add (local.get $y0) (i32.const 3)) (local.get $jHi)))))
            ;; q: pixel (x0, y0); r: tap row j, from tap (x0-2, y0-2); weights of fraction i at 64 + 24*i
            (local.set $q (i32.add (local.get $wb) (i32.add (i32.mul (local.get $y0) (local.get $ysB)) (i32.shl (local.get $x0) (i32.const 2)))))
            (local.set $r (i32.sub (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 8)))
            (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 24))))
            (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 24))))
            ;; the y pass, columnSum: tap row j (lanes 0-3 and 4-5) times wy[j] added to the columns
            (local.set $lo (f32x4.mul (v128.load (local.get $r)) (v128.load32_splat (local.get $wy))))
            (local.set $hi (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (v128.load32_splat (local.get $wy))))
            (local.set $j (i32.const 4))
            (loop $rows
              (local.set $r (i32.add (local.get $r) (local.get $ysB)))
              (local.set $lo (f32x4.add (local.get $lo)
                (f32x4.mul (v128.load (local.get $r)) (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))))
              (local.set $hi (f32x4.add (local.get $hi)
                (f32x4.mul (v128.load64_zero offset=16 (local.get $r)) (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (br_if $rows (i32.lt_u (local.get $j) (i32.const 24))))
            ;; the x pass, dot6: lanes 0, 1 = (p0 + p2) + p4, (p1 + p3) + p5 with p = wx * columns
            (local.set $lo (f32x4.mul (local.get $lo) (v128.load (local.get $wx))))
            (local.set $hi (f32x4.mul (local.get $hi) (v128.load64_zero offset=16 (local.get $wx))))
            (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
            (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
            (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
            ;; clamp2x2 on p = [p00, p10, p01, p11]: min4 and max4 by the JS compare-and-select chain
            ;; (pmin(x, y) = y < x ? y : x, so a -0/+0 tie keeps the same zero)
            (local.set $p (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (v128.load64_zero (local.get $q)) (v128.load64_zero (i32.add (local.get $q) (local.get $ysB)))))
            (local.set $p1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $p) (local.get $p)))
            (local.set $p2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $p) (local.get $p)))
            (local.set $p3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $p) (local.get $p)))
            (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $p1) (local.get $p)) (local.get $p2)) (local.get $p3)))
            (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $p) (local.get $p1)) (local.get $p2)) (local.get $p3)))
            ;; lane 0 (acc): acc > max -> max, then acc < min -> min (pmax(x, y) = x < y ? y : x),
            ;; else acc; a NaN acc (a NaN tap) passes both and becomes the canonical quiet NaN,
            ;; whatever the payload of the source NaN
            (local.set $lo (f32x4.pmax (f32x4.pmin (local.get $lo) (local.get $max)) (local.get $min)))
            (local.set $lo (v128.bitselect (local.get $lo) (v128.const f32x4 nan nan nan nan) (f32x4.eq (local.get $lo) (local.get $lo))))
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (local.get $lo))
            (br $advance))
          ;; outside [-0.5, vw-0.5] x [-0.5, vh-0.5]: NaN, the sampler's first rule
          (if (i32.eqz (i32.and
                (i32.and (f64.ge (local.get $sx) (f64.const -0.5)) (f64.le (local.get $sx) (f64.sub (local.get $vw) (f64.const 0.5))))
                (i32.and (f64.ge (local.get $sy) (f64.const -0.5)) (f64.le (local.get $sy) (f64.sub (local.get $vh) (f64.const 0.5))))))
            (then
              (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (f32.const nan))
              (br $advance)))
          (f64.store (local.get $fb) (local.get $sx))
          (f64.store offset=8 (local.get $fb) (local.get $sy))
          (i32.store offset=16 (local.get $fb) (local.get $k))
          (local.set $fb (i32.add (local.get $fb) (i32.const 24)))
          (local.set $nf (i32.add (local.get $nf) (i32.const 1))))
        (local.set $sx (f64.add (local.get $sx) (local.get $a)))
        (local.set $sy (f64.add (local.get $sy) (local.get $c)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (f64.store (i32.const 0) (local.get $sx))
    (f64.store (i32.const 8) (local.get $sy))
    (local.get $nf))

  ;; lanczosRowCfa: n samples u = u0 .. u0+n-1 of a strided phase view (8-byte tap stride) at
  ;; (a*u + bv + cx, c*u + dv + cy), into float32 at $out + 8*k (every second output pixel).
  (func (export "row_cfa")
    (param $n i32) (param $u0 i32) (param $a f64) (param $bv f64) (param $cx f64) (param $c f64) (param $dv f64) (param $cy f64)
    (param $vw f64) (param $vh f64)
    (param $wb i32) (param $ysB i32) (param $iLo i32) (param $iHi i32) (param $jLo i32) (param $jHi i32)
    (param $out i32) (param $fb i32) (result i32)
    (local $k i32) (local $nf i32) (local $u f64) (local $sx f64) (local $sy f64) (local $qx i32) (local $qy i32)
    (local $ix i32) (local $iy i32) (local $x0 i32) (local $y0 i32) (local $q i32) (local $r i32) (local $wx i32) (local $wy i32) (local $j i32)
    (local $lo v128) (local $hi v128) (local $w v128) (local $p v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $min v128) (local $max v128) (local $acc f32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $u (f64.convert_i32_s (i32.add (local.get $u0) (local.get $k))))
        (local.set $sx (f64.add (f64.add (f64.mul (local.get $a) (local.get $u)) (local.get $bv)) (local.get $cx)))
        (local.set $sy (f64.add (f64.add (f64.mul (local.get $c) (local.get $u)) (local.get $dv)) (local.get $cy)))
        (block $advance
          (block $fallback
            (br_if $fallback (i32.eqz (i32.and
              (i32.and (f64.ge (local.get $sx) (f64.const 2)) (f64.lt (local.get $sx) (f64.sub (local.get $vw) (f64.const 3))))
              (i32.and (f64.ge (local.get $sy) (f64.const 2)) (f64.lt (local.get $sy) (f64.sub (local.get $vh) (f64.const 3)))))))
            (local.set $qx (i32.trunc_f64_s (f64.add (f64.mul (local.get $sx) (f64.const 1024)) (f64.const 0.5))))
            (local.set $qy (i32.trunc_f64_s (f64.add (f64.mul (local.get $sy) (f64.const 1024)) (f64.const 0.5))))
            (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
            (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
            (br_if $fallback (i32.or (i32.eqz (local.get $ix)) (i32.eqz (local.get $iy))))
            (local.set $x0 (i32.shr_s (local.get $qx) (i32.const 10)))
            (local.set $y0 (i32.shr_s (local.get $qy) (i32.const 10)))
            (br_if $fallback (i32.or
              (i32.or (i32.lt_s (i32.sub (local.get $x0) (i32.const 2)) (local.get $iLo)) (i32.ge_s (i32.add (local.get $x0) (i32.const 3)) (local.get $iHi)))
              (i32.or (i32.lt_s (i32.sub (local.get $y0) (i32.const 2)) (local.get $jLo)) (i32.ge_s (i32.add (local.get $y0) (i32.const 3)) (local.get $jHi)))))
            (local.set $q (i32.add (local.get $wb) (i32.add (i32.mul (local.get $y0) (local.get $ysB)) (i32.shl (local.get $x0) (i32.const 3)))))
            (local.set $r (i32.sub (i32.sub (local.get $q) (i32.shl (local.get $ysB) (i32.const 1))) (i32.const 16)))
            (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 24))))
            (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 24))))
            ;; as in row_mono; taps are 8 bytes apart, so a row's 6 taps are float32 lanes 0 and 2
            ;; of three 16-byte loads (lanes 1 and 3 are the other phase), gathered by two shuffles
            (local.set $w (v128.load32_splat (local.get $wy)))
            (local.set $lo (f32x4.mul (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
              (v128.load (local.get $r)) (v128.load offset=16 (local.get $r))) (local.get $w)))
            (local.set $hi (f32x4.mul (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
              (v128.load offset=32 (local.get $r)) (v128.load offset=32 (local.get $r))) (local.get $w)))
            (local.set $j (i32.const 4))
            (loop $rows
              (local.set $r (i32.add (local.get $r) (local.get $ysB)))
              (local.set $w (v128.load32_splat (i32.add (local.get $wy) (local.get $j))))
              (local.set $lo (f32x4.add (local.get $lo) (f32x4.mul (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load (local.get $r)) (v128.load offset=16 (local.get $r))) (local.get $w))))
              (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
                (v128.load offset=32 (local.get $r)) (v128.load offset=32 (local.get $r))) (local.get $w))))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (br_if $rows (i32.lt_u (local.get $j) (i32.const 24))))
            (local.set $lo (f32x4.mul (local.get $lo) (v128.load (local.get $wx))))
            (local.set $hi (f32x4.mul (local.get $hi) (v128.load64_zero offset=16 (local.get $wx))))
            (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
            (local.set $lo (f32x4.add (local.get $lo) (local.get $hi)))
            (local.set $lo (f32x4.add (local.get $lo) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
            ;; clamp2x2 as in row_mono, on [p00, p10, p01, p11] from two strided loads
            (local.set $p (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
              (v128.load (local.get $q)) (v128.load (i32.add (local.get $q) (local.get $ysB)))))
            (local.set $p1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $p) (local.get $p)))
            (local.set $p2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $p) (local.get $p)))
            (local.set $p3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $p) (local.get $p)))
            (local.set $min (f32x4.pmin (f32x4.pmin (f32x4.pmin (local.get $p1) (local.get $p)) (local.get $p2)) (local.get $p3)))
            (local.set $max (f32x4.pmax (f32x4.pmax (f32x4.pmax (local.get $p) (local.get $p1)) (local.get $p2)) (local.get $p3)))
            ;; lane 0 (acc): acc > max -> max, then acc < min -> min (pmax(x, y) = x < y ? y : x),
            ;; else acc; a NaN acc (a NaN tap) passes both and becomes the canonical quiet NaN,
            ;; whatever the payload of the source NaN
            ;; the mono clamp with scalar selects: measured faster here than the vector form
            (local.set $acc (f32x4.extract_lane 0 (local.get $lo)))
            (local.set $acc (select (f32x4.extract_lane 0 (local.get $min))
              (select (f32x4.extract_lane 0 (local.get $max)) (local.get $acc) (f32.gt (local.get $acc) (f32x4.extract_lane 0 (local.get $max))))
              (f32.lt (local.get $acc) (f32x4.extract_lane 0 (local.get $min)))))
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3)))
              (select (f32.const nan) (local.get $acc) (f32.ne (local.get $acc) (local.get $acc))))
            (br $advance))
          (if (i32.eqz (i32.and
                (i32.and (f64.ge (local.get $sx) (f64.const -0.5)) (f64.le (local.get $sx) (f64.sub (local.get $vw) (f64.const 0.5))))
                (i32.and (f64.ge (local.get $sy) (f64.const -0.5)) (f64.le (local.get $sy) (f64.sub (local.get $vh) (f64.const 0.5))))))
            (then
              (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (f32.const nan))
              (br $advance)))
          (f64.store (local.get $fb) (local.get $sx))
          (f64.store offset=8 (local.get $fb) (local.get $sy))
          (i32.store offset=16 (local.get $fb) (local.get $k))
          (local.set $fb (i32.add (local.get $fb) (i32.const 24)))
          (local.set $nf (i32.add (local.get $nf) (i32.const 1))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.get $nf)))
