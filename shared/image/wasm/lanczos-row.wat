;; Lanczos-3 warp rows (METHOD.md P6.2) in WebAssembly SIMD: the interior 36-tap samples of
;; shared/image/warp-kernels.ts (lanczosRow, lanczosRowCfa), bit-identical to them.
;; Compiled by build/scripts/gen-wasm.js into lanczos-row.wasm.ts; driven by lanczos-wasm.ts.
;;
;; Bit-identity: every sum is formed in the order the JS kernel (lanczosTaps) forms it, in float64,
;; with no fused operations (WebAssembly has none). The SIMD lanes never reassociate a sum: a lane
;; pair holds two tap ROWS of the same sample, each lane running its row's own sequential chain
;; ((((w0*d0 + w1*d1) + w2*d2) + w3*d3) + w4*d4) + w5*d5; the weighted row sums wy[j]*row[j] are
;; then added to a scalar one row at a time from +0, as the JS accumulator does. Products do not
;; depend on lane order. Rounding to float32, the 2x2 clamp and NaN results follow the JS kernels.
;;
;; Memory (set up by lanczos-wasm.ts):
;;   [0, 16)      the positions after the last sample of row_mono (f64 sx, f64 sy)
;;   [64, 49264)  the Lanczos LUT of warp-kernels.ts copied in: 1025 fractions x 6 f64 weights
;;   further on   the output row, the fallback list and a window of source pixels (float32).
;; A view pixel (i, j) is at byte wb + j*ysB + i*xsB; only i in [iLo, iHi), j in [jLo, jHi) are in
;; the window. Addresses are formed in wrapping i32 arithmetic: wb alone may lie outside memory.
;;
;; A sample the kernel does not compute (outside the view interior, a fraction that rounds to a
;; whole pixel, taps outside the window) goes to the fallback list as a 24-byte record
;; (f64 sx, f64 sy, i32 index) for the caller to evaluate with the JS reference sampler.
(module
  (memory (export "memory") 1)

  ;; Math.round(q) for q >= 0 (ties toward +inf), as an i32: q < 2^31 here.
  (func $round (param $q f64) (result i32)
    (local $f f64)
    (local.set $f (f64.floor (local.get $q)))
    (i32.add (i32.trunc_f64_s (local.get $f)) (f64.ge (f64.sub (local.get $q) (local.get $f)) (f64.const 0.5))))

  ;; Rounds an accumulated sample to float32: a NaN becomes the canonical quiet NaN, whatever the
  ;; payload of the source NaN that caused it (the JS kernels return Number.NaN likewise).
  (func $toF32 (param $acc f64) (result f32)
    (if (result f32) (f64.ne (local.get $acc) (local.get $acc))
      (then (f32.const nan))
      (else (f32.demote_f64 (local.get $acc)))))

  ;; lanczosRow's clamp2x2: acc limited to the [min, max] of the 2x2 nearest sources at $q, with
  ;; min/max picked by the same compare-and-select chain (a -0/+0 tie keeps the same zero).
  (func $clampSelect (param $acc f64) (param $q i32) (param $xs i32) (param $ys i32) (result f32)
    (local $p00 f32) (local $p10 f32) (local $p01 f32) (local $p11 f32) (local $m f32)
    (local.set $p00 (f32.load (local.get $q)))
    (local.set $p10 (f32.load (i32.add (local.get $q) (local.get $xs))))
    (local.set $p01 (f32.load (i32.add (local.get $q) (local.get $ys))))
    (local.set $p11 (f32.load (i32.add (i32.add (local.get $q) (local.get $ys)) (local.get $xs))))
    (if (i32.and
          (i32.and (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p00))) (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p10))))
          (i32.and (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p01))) (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p11)))))
      (then
        (local.set $m (select (local.get $p00) (local.get $p10) (f32.lt (local.get $p00) (local.get $p10))))
        (local.set $m (select (local.get $p01) (local.get $m) (f32.lt (local.get $p01) (local.get $m))))
        (return (select (local.get $p11) (local.get $m) (f32.lt (local.get $p11) (local.get $m))))))
    (if (i32.and
          (i32.and (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p00))) (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p10))))
          (i32.and (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p01))) (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p11)))))
      (then
        (local.set $m (select (local.get $p10) (local.get $p00) (f32.lt (local.get $p00) (local.get $p10))))
        (local.set $m (select (local.get $p01) (local.get $m) (f32.gt (local.get $p01) (local.get $m))))
        (return (select (local.get $p11) (local.get $m) (f32.gt (local.get $p11) (local.get $m))))))
    (call $toF32 (local.get $acc)))

  ;; clamp2x2MinMax of lanczosRowCfa: the limits by IEEE min/max as Math.min/Math.max give them.
  (func $clampMinMax (param $acc f64) (param $q i32) (param $xs i32) (param $ys i32) (result f32)
    (local $p00 f32) (local $p10 f32) (local $p01 f32) (local $p11 f32)
    (local.set $p00 (f32.load (local.get $q)))
    (local.set $p10 (f32.load (i32.add (local.get $q) (local.get $xs))))
    (local.set $p01 (f32.load (i32.add (local.get $q) (local.get $ys))))
    (local.set $p11 (f32.load (i32.add (i32.add (local.get $q) (local.get $ys)) (local.get $xs))))
    (if (i32.and
          (i32.and (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p00))) (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p10))))
          (i32.and (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p01))) (f64.lt (local.get $acc) (f64.promote_f32 (local.get $p11)))))
      (then (return (f32.min (f32.min (f32.min (local.get $p00) (local.get $p10)) (local.get $p01)) (local.get $p11)))))
    (if (i32.and
          (i32.and (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p00))) (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p10))))
          (i32.and (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p01))) (f64.gt (local.get $acc) (f64.promote_f32 (local.get $p11)))))
      (then (return (f32.max (f32.max (f32.max (local.get $p00) (local.get $p10)) (local.get $p01)) (local.get $p11)))))
    (call $toF32 (local.get $acc)))

  ;; lanczosRow: n samples from (sx, sy), advancing by (a, c) per sample by repeated addition,
  ;; into float32 at $out + 4*k. Stores the positions after the last sample at [0, 16) so the
  ;; caller can continue the row in the next column tile. Returns the fallback count.
  (func (export "row_mono")
    (param $n i32) (param $sx f64) (param $sy f64) (param $a f64) (param $c f64)
    (param $xEnd f64) (param $yEnd f64)
    (param $wb i32) (param $ysB i32) (param $iLo i32) (param $iHi i32) (param $jLo i32) (param $jHi i32)
    (param $out i32) (param $fb i32) (result i32)
    (local $k i32) (local $nf i32) (local $qx i32) (local $qy i32) (local $ix i32) (local $iy i32)
    (local $x0 i32) (local $y0 i32) (local $r i32) (local $wx i32) (local $w01 v128) (local $w23 v128) (local $w45 v128)
    (local $wy i32) (local $j i32) (local $acc f64) (local $ta v128) (local $tb v128) (local $s v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (block $advance
          (block $fallback
            ;; x0 = floor(sx) in [2, vw-4] and the same for y: all 36 taps inside the view
            (br_if $fallback (i32.eqz (i32.and
              (i32.and (f64.ge (local.get $sx) (f64.const 2)) (f64.lt (local.get $sx) (local.get $xEnd)))
              (i32.and (f64.ge (local.get $sy) (f64.const 2)) (f64.lt (local.get $sy) (local.get $yEnd))))))
            (local.set $qx (call $round (f64.mul (local.get $sx) (f64.const 1024))))
            (local.set $qy (call $round (f64.mul (local.get $sy) (f64.const 1024))))
            (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
            (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
            (br_if $fallback (i32.or (i32.eqz (local.get $ix)) (i32.eqz (local.get $iy))))
            (local.set $x0 (i32.shr_s (local.get $qx) (i32.const 10)))
            (local.set $y0 (i32.shr_s (local.get $qy) (i32.const 10)))
            (br_if $fallback (i32.or
              (i32.or (i32.lt_s (i32.sub (local.get $x0) (i32.const 2)) (local.get $iLo)) (i32.ge_s (i32.add (local.get $x0) (i32.const 3)) (local.get $iHi)))
              (i32.or (i32.lt_s (i32.sub (local.get $y0) (i32.const 2)) (local.get $jLo)) (i32.ge_s (i32.add (local.get $y0) (i32.const 3)) (local.get $jHi)))))
            ;; r: tap (x0-2, y0-2); weights of fraction i at 64 + 48*i
            (local.set $r (i32.add (local.get $wb) (i32.add
              (i32.mul (i32.sub (local.get $y0) (i32.const 2)) (local.get $ysB))
              (i32.shl (i32.sub (local.get $x0) (i32.const 2)) (i32.const 2)))))
            (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 48))))
            (local.set $w01 (v128.load (local.get $wx)))
            (local.set $w23 (v128.load offset=16 (local.get $wx)))
            (local.set $w45 (v128.load offset=32 (local.get $wx)))
            ;; three passes over tap rows (j, j+1): per row the products [w_k d_k, w_k+1 d_k+1], shuffled
            ;; to [row j, row j+1] pairs and summed tap by tap; then weighted by wy and added to acc
            ;; row j first, row j+1 second
            (local.set $acc (f64.const 0))
            (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 48))))
            (local.set $j (i32.const 0))
            (loop $pairs
              (local.set $ta (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $r))) (local.get $w01)))
              (local.set $tb (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r) (local.get $ysB)))) (local.get $w01)))
              (local.set $s (f64x2.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ta) (local.get $tb))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ta) (local.get $tb))))
              (local.set $ta (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $r))) (local.get $w23)))
              (local.set $tb (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $r) (local.get $ysB)))) (local.get $w23)))
              (local.set $s (f64x2.add (local.get $s)
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ta) (local.get $tb))))
              (local.set $s (f64x2.add (local.get $s)
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ta) (local.get $tb))))
              (local.set $ta (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $r))) (local.get $w45)))
              (local.set $tb (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (i32.add (local.get $r) (local.get $ysB)))) (local.get $w45)))
              (local.set $s (f64x2.add (local.get $s)
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ta) (local.get $tb))))
              (local.set $s (f64x2.add (local.get $s)
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ta) (local.get $tb))))
              (local.set $s (f64x2.mul (local.get $s) (v128.load (i32.add (local.get $wy) (i32.shl (local.get $j) (i32.const 4))))))
              (local.set $acc (f64.add (f64.add (local.get $acc) (f64x2.extract_lane 0 (local.get $s))) (f64x2.extract_lane 1 (local.get $s))))
              (local.set $r (i32.add (local.get $r) (i32.shl (local.get $ysB) (i32.const 1))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $pairs (i32.lt_u (local.get $j) (i32.const 3))))
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
              (call $clampSelect (local.get $acc)
                (i32.add (local.get $wb) (i32.add (i32.mul (local.get $y0) (local.get $ysB)) (i32.shl (local.get $x0) (i32.const 2))))
                (i32.const 4)
                (local.get $ysB)))
            (br $advance))
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
    (param $xEnd f64) (param $yEnd f64)
    (param $wb i32) (param $ysB i32) (param $iLo i32) (param $iHi i32) (param $jLo i32) (param $jHi i32)
    (param $out i32) (param $fb i32) (result i32)
    (local $k i32) (local $nf i32) (local $u f64) (local $sx f64) (local $sy f64) (local $qx i32) (local $qy i32)
    (local $ix i32) (local $iy i32) (local $x0 i32) (local $y0 i32) (local $r i32) (local $wx i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128)
    (local $wy i32) (local $j i32) (local $acc f64) (local $ta v128) (local $tb v128) (local $s v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $u (f64.convert_i32_s (i32.add (local.get $u0) (local.get $k))))
        (local.set $sx (f64.add (f64.add (f64.mul (local.get $a) (local.get $u)) (local.get $bv)) (local.get $cx)))
        (local.set $sy (f64.add (f64.add (f64.mul (local.get $c) (local.get $u)) (local.get $dv)) (local.get $cy)))
        (block $advance
          (block $fallback
            (br_if $fallback (i32.eqz (i32.and
              (i32.and (f64.ge (local.get $sx) (f64.const 2)) (f64.lt (local.get $sx) (local.get $xEnd)))
              (i32.and (f64.ge (local.get $sy) (f64.const 2)) (f64.lt (local.get $sy) (local.get $yEnd))))))
            (local.set $qx (call $round (f64.mul (local.get $sx) (f64.const 1024))))
            (local.set $qy (call $round (f64.mul (local.get $sy) (f64.const 1024))))
            (local.set $ix (i32.and (local.get $qx) (i32.const 1023)))
            (local.set $iy (i32.and (local.get $qy) (i32.const 1023)))
            (br_if $fallback (i32.or (i32.eqz (local.get $ix)) (i32.eqz (local.get $iy))))
            (local.set $x0 (i32.shr_s (local.get $qx) (i32.const 10)))
            (local.set $y0 (i32.shr_s (local.get $qy) (i32.const 10)))
            (br_if $fallback (i32.or
              (i32.or (i32.lt_s (i32.sub (local.get $x0) (i32.const 2)) (local.get $iLo)) (i32.ge_s (i32.add (local.get $x0) (i32.const 3)) (local.get $iHi)))
              (i32.or (i32.lt_s (i32.sub (local.get $y0) (i32.const 2)) (local.get $jLo)) (i32.ge_s (i32.add (local.get $y0) (i32.const 3)) (local.get $jHi)))))
            (local.set $r (i32.add (local.get $wb) (i32.add
              (i32.mul (i32.sub (local.get $y0) (i32.const 2)) (local.get $ysB))
              (i32.shl (i32.sub (local.get $x0) (i32.const 2)) (i32.const 3)))))
            (local.set $wx (i32.add (i32.const 64) (i32.mul (local.get $ix) (i32.const 48))))
            (local.set $w0 (v128.load64_splat (local.get $wx)))
            (local.set $w1 (v128.load64_splat offset=8 (local.get $wx)))
            (local.set $w2 (v128.load64_splat offset=16 (local.get $wx)))
            (local.set $w3 (v128.load64_splat offset=24 (local.get $wx)))
            (local.set $w4 (v128.load64_splat offset=32 (local.get $wx)))
            (local.set $w5 (v128.load64_splat offset=40 (local.get $wx)))
            ;; as in row_mono; a 16-byte load of a strided row holds taps k, k+1 in float32 lanes 0, 2
            ;; (1, 3 are the other phase): the shuffles pair a row-j tap with the row-j+1 tap
            ;; ([tap k of row j, tap k of row j+1]) before widening, so no transpose of products is needed
            (local.set $acc (f64.const 0))
            (local.set $wy (i32.add (i32.const 64) (i32.mul (local.get $iy) (i32.const 48))))
            (local.set $j (i32.const 0))
            (loop $pairs
              (local.set $ta (v128.load (local.get $r)))
              (local.set $tb (v128.load (i32.add (local.get $r) (local.get $ysB))))
              (local.set $s (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $ta) (local.get $tb))) (local.get $w0)) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $ta) (local.get $tb))) (local.get $w1))))
              (local.set $ta (v128.load offset=16 (local.get $r)))
              (local.set $tb (v128.load offset=16 (i32.add (local.get $r) (local.get $ysB))))
              (local.set $s (f64x2.add (local.get $s) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $ta) (local.get $tb))) (local.get $w2))))
              (local.set $s (f64x2.add (local.get $s) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $ta) (local.get $tb))) (local.get $w3))))
              (local.set $ta (v128.load offset=32 (local.get $r)))
              (local.set $tb (v128.load offset=32 (i32.add (local.get $r) (local.get $ysB))))
              (local.set $s (f64x2.add (local.get $s) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $ta) (local.get $tb))) (local.get $w4))))
              (local.set $s (f64x2.add (local.get $s) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $ta) (local.get $tb))) (local.get $w5))))
              (local.set $s (f64x2.mul (local.get $s) (v128.load (i32.add (local.get $wy) (i32.shl (local.get $j) (i32.const 4))))))
              (local.set $acc (f64.add (f64.add (local.get $acc) (f64x2.extract_lane 0 (local.get $s))) (f64x2.extract_lane 1 (local.get $s))))
              (local.set $r (i32.add (local.get $r) (i32.shl (local.get $ysB) (i32.const 1))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $pairs (i32.lt_u (local.get $j) (i32.const 3))))
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3)))
              (call $clampMinMax (local.get $acc)
                (i32.add (local.get $wb) (i32.add (i32.mul (local.get $y0) (local.get $ysB)) (i32.shl (local.get $x0) (i32.const 3))))
                (i32.const 8)
                (local.get $ysB)))
            (br $advance))
          (f64.store (local.get $fb) (local.get $sx))
          (f64.store offset=8 (local.get $fb) (local.get $sy))
          (i32.store offset=16 (local.get $fb) (local.get $k))
          (local.set $fb (i32.add (local.get $fb) (i32.const 24)))
          (local.set $nf (i32.add (local.get $nf) (i32.const 1))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.get $nf)))
