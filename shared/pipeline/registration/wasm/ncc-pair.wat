;; The NCC sums of two plane pairs under one affine map (METHOD.md P4.6: the plain proxies and their
;; high-passed planes), over a run of reference pixels whose bilinear 2x2 lies inside the moving
;; window held in memory. Lane 0 of every f64x2 is the first pair, lane 1 the second, so each lane
;; repeats nccUnderTransform's (ncc.ts) float64 arithmetic in its order: positions by repeated
;; addition, the same bilinear formula for each case of the fractions, and the sums of pixel after
;; pixel. A pixel invalid in a lane (NaN) adds +0 there, which leaves a sum unchanged (sums start at
;; +0 and never become -0).
;;
;; Memory layout (byte offsets; the caller keeps them):
;;   0   sums: six f64x2  n, sa, sb, saa, sbb, sab
;;   96  state out: f64 sx, f64 sy where the run stopped
;;
;; ncc_run(x, xEnd, sx, sy, a, c, ref0, ref1, mov0, mov1, ww, wx0, wy0, wx1, wy1) -> x where it stopped
;;   x, xEnd      reference columns of the run [x, xEnd)
;;   sx, sy       moving position of column x; a, c its step per column
;;   ref0, ref1   the reference row of each pair (float32), column 0 at the offset
;;   mov0, mov1   the moving window of each pair (float32, ww per row)
;;   wx0, wy0     moving coordinates of the window's first pixel; wx1, wy1 one past its last
;; The run stops at the first column whose 2x2 is not inside the window.
(module
  (memory (export "memory") 1)

  (func (export "ncc_run")
    (param $x i32) (param $xEnd i32) (param $sx f64) (param $sy f64) (param $a f64) (param $c f64)
    (param $ref0 i32) (param $ref1 i32) (param $mov0 i32) (param $mov1 i32) (param $ww i32)
    (param $wx0 i32) (param $wy0 i32) (param $wx1 i32) (param $wy1 i32)
    (result i32)
    (local $xLo f64) (local $yLo f64) (local $xHi f64) (local $yHi f64)
    (local $x0 i32) (local $y0 i32) (local $fx f64) (local $fy f64) (local $gx f64) (local $gy f64)
    (local $i i32) (local $j i32) (local $rowBytes i32)
    (local $n v128) (local $sa v128) (local $sb v128) (local $saa v128) (local $sbb v128) (local $sab v128)
    (local $u v128) (local $v v128) (local $mask v128)
    (local $t0 v128) (local $b0 v128)
    (local $pa v128) (local $pb v128) (local $pc v128) (local $pd v128)
    (local.set $n (v128.load (i32.const 0)))
    (local.set $sa (v128.load (i32.const 16)))
    (local.set $sb (v128.load (i32.const 32)))
    (local.set $saa (v128.load (i32.const 48)))
    (local.set $sbb (v128.load (i32.const 64)))
    (local.set $sab (v128.load (i32.const 80)))
    ;; inside the window: wx0 <= sx < wx1 - 1 and wy0 <= sy < wy1 - 1
    (local.set $xLo (f64.convert_i32_s (local.get $wx0)))
    (local.set $yLo (f64.convert_i32_s (local.get $wy0)))
    (local.set $xHi (f64.convert_i32_s (i32.sub (local.get $wx1) (i32.const 1))))
    (local.set $yHi (f64.convert_i32_s (i32.sub (local.get $wy1) (i32.const 1))))
    (local.set $rowBytes (i32.shl (local.get $ww) (i32.const 2)))
    (block $stop
      (loop $pixel
        (br_if $stop (i32.ge_s (local.get $x) (local.get $xEnd)))
        (br_if $stop
          (i32.eqz
            (i32.and
              (i32.and (f64.ge (local.get $sx) (local.get $xLo)) (f64.lt (local.get $sx) (local.get $xHi)))
              (i32.and (f64.ge (local.get $sy) (local.get $yLo)) (f64.lt (local.get $sy) (local.get $yHi))))))
        ;; floor of a non-negative position
        (local.set $x0 (i32.trunc_f64_s (local.get $sx)))
        (local.set $y0 (i32.trunc_f64_s (local.get $sy)))
        (local.set $fx (f64.sub (local.get $sx) (f64.convert_i32_s (local.get $x0))))
        (local.set $fy (f64.sub (local.get $sy) (f64.convert_i32_s (local.get $y0))))
        (local.set $i
          (i32.shl
            (i32.add
              (i32.mul (i32.sub (local.get $y0) (local.get $wy0)) (local.get $ww))
              (i32.sub (local.get $x0) (local.get $wx0)))
            (i32.const 2)))
        (local.set $j (i32.add (local.get $i) (local.get $rowBytes)))
        ;; (m0[i], m1[i], m0[i+1], m1[i+1]): pixel i of both pairs in the low half, i + 1 in the high
        (local.set $t0
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            (v128.load64_zero (i32.add (local.get $mov0) (local.get $i)))
            (v128.load64_zero (i32.add (local.get $mov1) (local.get $i)))))
        (local.set $pa (f64x2.promote_low_f32x4 (local.get $t0)))
        (local.set $pb (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $t0) (local.get $t0))))
        (if (f64.ne (local.get $fx) (f64.const 0))
          (then
            (if (f64.ne (local.get $fy) (f64.const 0))
              (then
                ;; (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d)
                (local.set $b0
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                    (v128.load64_zero (i32.add (local.get $mov0) (local.get $j)))
                    (v128.load64_zero (i32.add (local.get $mov1) (local.get $j)))))
                (local.set $pc (f64x2.promote_low_f32x4 (local.get $b0)))
                (local.set $pd (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $b0) (local.get $b0))))
                (local.set $gx (f64.sub (f64.const 1) (local.get $fx)))
                (local.set $gy (f64.sub (f64.const 1) (local.get $fy)))
                (local.set $v
                  (f64x2.add
                    (f64x2.mul (f64x2.splat (local.get $gy))
                      (f64x2.add
                        (f64x2.mul (f64x2.splat (local.get $gx)) (local.get $pa))
                        (f64x2.mul (f64x2.splat (local.get $fx)) (local.get $pb))))
                    (f64x2.mul (f64x2.splat (local.get $fy))
                      (f64x2.add
                        (f64x2.mul (f64x2.splat (local.get $gx)) (local.get $pc))
                        (f64x2.mul (f64x2.splat (local.get $fx)) (local.get $pd)))))))
              (else
                ;; (1 - fx) * a + fx * b
                (local.set $v
                  (f64x2.add
                    (f64x2.mul (f64x2.splat (f64.sub (f64.const 1) (local.get $fx))) (local.get $pa))
                    (f64x2.mul (f64x2.splat (local.get $fx)) (local.get $pb)))))))
          (else
            (if (f64.ne (local.get $fy) (f64.const 0))
              (then
                ;; (1 - fy) * a + fy * c
                (local.set $pc
                  (f64x2.promote_low_f32x4
                    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                      (v128.load32_zero (i32.add (local.get $mov0) (local.get $j)))
                      (v128.load32_zero (i32.add (local.get $mov1) (local.get $j))))))
                (local.set $v
                  (f64x2.add
                    (f64x2.mul (f64x2.splat (f64.sub (f64.const 1) (local.get $fy))) (local.get $pa))
                    (f64x2.mul (f64x2.splat (local.get $fy)) (local.get $pc)))))
              (else (local.set $v (local.get $pa))))))
        ;; the reference pixel of both pairs
        (local.set $u
          (f64x2.replace_lane 1
            (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $ref0) (i32.shl (local.get $x) (i32.const 2))))))
            (f64.promote_f32 (f32.load (i32.add (local.get $ref1) (i32.shl (local.get $x) (i32.const 2)))))))
        (local.set $mask (v128.and (f64x2.eq (local.get $u) (local.get $u)) (f64x2.eq (local.get $v) (local.get $v))))
        (local.set $u (v128.and (local.get $u) (local.get $mask)))
        (local.set $v (v128.and (local.get $v) (local.get $mask)))
        (local.set $n (f64x2.add (local.get $n) (v128.and (v128.const f64x2 1 1) (local.get $mask))))
        (local.set $sa (f64x2.add (local.get $sa) (local.get $u)))
        (local.set $sb (f64x2.add (local.get $sb) (local.get $v)))
        (local.set $saa (f64x2.add (local.get $saa) (f64x2.mul (local.get $u) (local.get $u))))
        (local.set $sbb (f64x2.add (local.get $sbb) (f64x2.mul (local.get $v) (local.get $v))))
        (local.set $sab (f64x2.add (local.get $sab) (f64x2.mul (local.get $u) (local.get $v))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (local.set $sx (f64.add (local.get $sx) (local.get $a)))
        (local.set $sy (f64.add (local.get $sy) (local.get $c)))
        (br $pixel)))
    (v128.store (i32.const 0) (local.get $n))
    (v128.store (i32.const 16) (local.get $sa))
    (v128.store (i32.const 32) (local.get $sb))
    (v128.store (i32.const 48) (local.get $saa))
    (v128.store (i32.const 64) (local.get $sbb))
    (v128.store (i32.const 80) (local.get $sab))
    (f64.store (i32.const 96) (local.get $sx))
    (f64.store (i32.const 104) (local.get $sy))
    (local.get $x)))
