;; The per-tile arithmetic of the P6.5 local metrics (METHOD.md), for tile-stats.ts: the 31 px box
;; residual and the Sobel |grad|^2 of an all-finite tile, and the passes of its exact medians
;; (bracket gathers, select, max). Every function gives the bits of its JavaScript twin in
;; shared/image/filters.ts and stats.ts: float64 arithmetic in the same order per value, float32
;; stores rounded to nearest even as Math.fround does.
;;
;; Memory layout (bytes; the rest is placed by tile-stats.ts and passed in as addresses):
;;   0..63     SWIZZLE2: 4 x 16-byte shuffles packing the selected f64 lanes of a 2-bit mask first
;;   64..319   SWIZZLE4: 16 x 16-byte shuffles packing the selected f32 lanes of a 4-bit mask first
;; Stores that pack lanes write a whole 16-byte vector: destinations need 16 bytes of slack.
(module
  (memory (export "memory") 1)

  ;; keys below the bracket counted by the last gather
  (global $below (export "below") (mut i32) (i32.const 0))
  ;; pixels with |v| > 1e17 counted by the last count_tile
  (global $large (export "large") (mut i32) (i32.const 0))

  (data (i32.const 0)
    "\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\80\80\80\80\80\80\80\80"
    "\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f")
  (data (i32.const 64)
    "\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\80\80\80\80\80\80\80\80\80\80\80\80"
    "\04\05\06\07\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\80\80\80\80\80\80\80\80"
    "\08\09\0a\0b\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\08\09\0a\0b\80\80\80\80\80\80\80\80"
    "\04\05\06\07\08\09\0a\0b\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\80\80\80\80"
    "\0c\0d\0e\0f\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\04\05\06\07\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\0c\0d\0e\0f\80\80\80\80"
    "\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\00\01\02\03\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80"
    "\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80"
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f")

  ;; Valid pixels (v - v == 0) of the f32 values src[0..n); $large = those with |v| > 1e17.
  (func (export "count_tile") (param $src i32) (param $n i32) (result i32)
    (local $i i32) (local $end4 i32) (local $end i32) (local $v v128) (local $ok v128) (local $big v128)
    (local $lim v128) (local $x f32) (local $valid i32) (local $large i32)
    (local.set $lim (f64x2.splat (f64.const 1e17)))
    (local.set $ok (v128.const i32x4 0 0 0 0))
    (local.set $big (v128.const i64x2 0 0))
    (local.set $i (local.get $src))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $v (v128.load (local.get $i)))
      (local.set $ok (i32x4.sub (local.get $ok)
        (f32x4.eq (f32x4.sub (local.get $v) (local.get $v)) (v128.const f32x4 0 0 0 0))))
      (local.set $big (i64x2.sub (local.get $big)
        (f64x2.gt (f64x2.abs (f64x2.promote_low_f32x4 (local.get $v))) (local.get $lim))))
      (local.set $big (i64x2.sub (local.get $big)
        (f64x2.gt (f64x2.abs (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))))
          (local.get $lim))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (local.set $valid (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $ok)) (i32x4.extract_lane 1 (local.get $ok)))
      (i32.add (i32x4.extract_lane 2 (local.get $ok)) (i32x4.extract_lane 3 (local.get $ok)))))
    (local.set $large (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $big)) (i64x2.extract_lane 1 (local.get $big)))))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $x (f32.load (local.get $i)))
      (local.set $valid (i32.add (local.get $valid) (f32.eq (f32.sub (local.get $x) (local.get $x)) (f32.const 0))))
      (local.set $large (i32.add (local.get $large) (f64.gt (f64.abs (f64.promote_f32 (local.get $x))) (f64.const 1e17))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
    (global.set $large (local.get $large))
    (local.get $valid))

  ;; boxResidual of an all-finite w x h tile (filters.ts, its finite branch): out = src -
  ;; fround(box mean), k x k window with reflect-101 indices xidx (w + k - 1 i32) and yidx
  ;; (h + k - 1 i32). hsum: w*h f64 of row sums; col: w f64. Same additions in the same order.
  (func (export "box_residual")
    (param $src i32) (param $w i32) (param $h i32) (param $k i32) (param $out i32)
    (param $hsum i32) (param $col i32) (param $xidx i32) (param $yidx i32)
    (local $y i32) (local $x i32) (local $i i32) (local $b0 i32) (local $b1 i32) (local $h0 i32) (local $h1 i32)
    (local $s0 f64) (local $s1 f64) (local $e i32) (local $l i32) (local $w2 i32) (local $count f64) (local $vc v128)
    (local $base i32) (local $enter i32) (local $leave i32) (local $m v128) (local $p i32)
    ;; horizontal pass: running window sums, two rows at a time (two dependency chains overlap)
    (local.set $y (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $b0 (i32.add (local.get $src) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2))))
      (local.set $h0 (i32.add (local.get $hsum) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 3))))
      (if (i32.lt_s (i32.add (local.get $y) (i32.const 1)) (local.get $h))
        (then
          (local.set $b1 (i32.add (local.get $b0) (i32.shl (local.get $w) (i32.const 2))))
          (local.set $h1 (i32.add (local.get $h0) (i32.shl (local.get $w) (i32.const 3)))))
        (else
          (local.set $b1 (local.get $b0))
          (local.set $h1 (local.get $h0))))
      (local.set $s0 (f64.const 0))
      (local.set $s1 (f64.const 0))
      (local.set $i (i32.const 0))
      (block $init_done (loop $init
        (br_if $init_done (i32.ge_s (local.get $i) (local.get $k)))
        (local.set $e (i32.shl (i32.load (i32.add (local.get $xidx) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))
        (local.set $s0 (f64.add (local.get $s0) (f64.promote_f32 (f32.load (i32.add (local.get $b0) (local.get $e))))))
        (local.set $s1 (f64.add (local.get $s1) (f64.promote_f32 (f32.load (i32.add (local.get $b1) (local.get $e))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $init)))
      (local.set $x (i32.const 0))
      (block $run_done (loop $run
        (br_if $run_done (i32.ge_s (local.get $x) (i32.sub (local.get $w) (i32.const 1))))
        (f64.store (i32.add (local.get $h0) (i32.shl (local.get $x) (i32.const 3))) (local.get $s0))
        (f64.store (i32.add (local.get $h1) (i32.shl (local.get $x) (i32.const 3))) (local.get $s1))
        (local.set $p (i32.add (local.get $xidx) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $e (i32.shl (i32.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2)))
        (local.set $l (i32.shl (i32.load (local.get $p)) (i32.const 2)))
        (local.set $s0 (f64.add (local.get $s0)
          (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $b0) (local.get $e))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $b0) (local.get $l)))))))
        (local.set $s1 (f64.add (local.get $s1)
          (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $b1) (local.get $e))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $b1) (local.get $l)))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $run)))
      (f64.store (i32.add (local.get $h0) (i32.shl (local.get $x) (i32.const 3))) (local.get $s0))
      (f64.store (i32.add (local.get $h1) (i32.shl (local.get $x) (i32.const 3))) (local.get $s1))
      (local.set $y (i32.add (local.get $y) (i32.const 2)))
      (br $rows)))
    ;; vertical pass: per column the running sum of k row sums, two columns per vector
    (local.set $w2 (i32.and (local.get $w) (i32.const -2)))
    (local.set $x (i32.const 0))
    (block $z_done (loop $z
      (br_if $z_done (i32.ge_s (local.get $x) (local.get $w)))
      (f64.store (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3))) (f64.const 0))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $z)))
    (local.set $i (i32.const 0))
    (block $c_done (loop $c
      (br_if $c_done (i32.ge_s (local.get $i) (local.get $k)))
      (local.set $base (i32.add (local.get $hsum) (i32.shl (i32.mul (i32.load (i32.add (local.get $yidx) (i32.shl (local.get $i) (i32.const 2)))) (local.get $w)) (i32.const 3))))
      (local.set $x (i32.const 0))
      (block $cx_done (loop $cx
        (br_if $cx_done (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $p (i32.shl (local.get $x) (i32.const 3)))
        (f64.store (i32.add (local.get $col) (local.get $p))
          (f64.add (f64.load (i32.add (local.get $col) (local.get $p))) (f64.load (i32.add (local.get $base) (local.get $p)))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $cx)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $c)))
    (local.set $count (f64.convert_i32_s (i32.mul (local.get $k) (local.get $k))))
    (local.set $vc (f64x2.splat (local.get $count)))
    (local.set $y (i32.const 0))
    (block $v_done (loop $v
      (br_if $v_done (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $base (i32.mul (local.get $y) (local.get $w)))
      (local.set $x (i32.const 0))
      (block $o_done (loop $o
        (br_if $o_done (i32.ge_s (local.get $x) (local.get $w2)))
        (local.set $p (i32.shl (i32.add (local.get $base) (local.get $x)) (i32.const 2)))
        (local.set $m (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.div (v128.load (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3)))) (local.get $vc)))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $p))
          (f32x4.demote_f64x2_zero (f64x2.sub
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $src) (local.get $p))))
            (local.get $m))))
        (local.set $x (i32.add (local.get $x) (i32.const 2)))
        (br $o)))
      (if (i32.lt_s (local.get $x) (local.get $w))
        (then
          (local.set $p (i32.shl (i32.add (local.get $base) (local.get $x)) (i32.const 2)))
          (f32.store (i32.add (local.get $out) (local.get $p))
            (f32.demote_f64 (f64.sub
              (f64.promote_f32 (f32.load (i32.add (local.get $src) (local.get $p))))
              (f64.promote_f32 (f32.demote_f64
                (f64.div (f64.load (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3)))) (local.get $count)))))))))
      (if (i32.lt_s (i32.add (local.get $y) (i32.const 1)) (local.get $h))
        (then
          (local.set $enter (i32.add (local.get $hsum) (i32.shl (i32.mul (i32.load (i32.add (local.get $yidx)
            (i32.shl (i32.add (local.get $y) (local.get $k)) (i32.const 2)))) (local.get $w)) (i32.const 3))))
          (local.set $leave (i32.add (local.get $hsum) (i32.shl (i32.mul (i32.load (i32.add (local.get $yidx)
            (i32.shl (local.get $y) (i32.const 2)))) (local.get $w)) (i32.const 3))))
          (local.set $x (i32.const 0))
          (block $u_done (loop $u
            (br_if $u_done (i32.ge_s (local.get $x) (local.get $w2)))
            (local.set $p (i32.shl (local.get $x) (i32.const 3)))
            (v128.store (i32.add (local.get $col) (local.get $p))
              (f64x2.add (v128.load (i32.add (local.get $col) (local.get $p)))
                (f64x2.sub (v128.load (i32.add (local.get $enter) (local.get $p))) (v128.load (i32.add (local.get $leave) (local.get $p))))))
            (local.set $x (i32.add (local.get $x) (i32.const 2)))
            (br $u)))
          (if (i32.lt_s (local.get $x) (local.get $w))
            (then
              (local.set $p (i32.shl (local.get $x) (i32.const 3)))
              (f64.store (i32.add (local.get $col) (local.get $p))
                (f64.add (f64.load (i32.add (local.get $col) (local.get $p)))
                  (f64.sub (f64.load (i32.add (local.get $enter) (local.get $p))) (f64.load (i32.add (local.get $leave) (local.get $p))))))))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $v)))
  )

  ;; Sobel |grad|^2 at (x, y), edge-replicated; NaN if the window holds a value that is not finite
  ;; (filters.ts sobelAt).
  (func $sobel_at (param $src i32) (param $w i32) (param $h i32) (param $x i32) (param $y i32) (result f64)
    (local $xm i32) (local $xp i32) (local $rm i32) (local $r0 i32) (local $rp i32)
    (local $a0 f64) (local $a1 f64) (local $a2 f64) (local $a3 f64) (local $a5 f64) (local $a6 f64) (local $a7 f64) (local $a8 f64)
    (local $gx f64) (local $gy f64) (local $a4 f64)
    (local.set $xm (select (i32.const 0) (i32.sub (local.get $x) (i32.const 1)) (i32.lt_s (local.get $x) (i32.const 1))))
    (local.set $xp (select (i32.sub (local.get $w) (i32.const 1)) (i32.add (local.get $x) (i32.const 1))
      (i32.ge_s (i32.add (local.get $x) (i32.const 1)) (local.get $w))))
    (local.set $rm (i32.mul (local.get $w) (select (i32.const 0) (i32.sub (local.get $y) (i32.const 1)) (i32.lt_s (local.get $y) (i32.const 1)))))
    (local.set $r0 (i32.mul (local.get $w) (local.get $y)))
    (local.set $rp (i32.mul (local.get $w) (select (i32.sub (local.get $h) (i32.const 1)) (i32.add (local.get $y) (i32.const 1))
      (i32.ge_s (i32.add (local.get $y) (i32.const 1)) (local.get $h)))))
    (local.set $a0 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $rm) (local.get $xm)) (i32.const 2))))))
    (local.set $a1 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $rm) (local.get $x)) (i32.const 2))))))
    (local.set $a2 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $rm) (local.get $xp)) (i32.const 2))))))
    (local.set $a3 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $r0) (local.get $xm)) (i32.const 2))))))
    (local.set $a5 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $r0) (local.get $xp)) (i32.const 2))))))
    (local.set $a6 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $rp) (local.get $xm)) (i32.const 2))))))
    (local.set $a7 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $rp) (local.get $x)) (i32.const 2))))))
    (local.set $a8 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $rp) (local.get $xp)) (i32.const 2))))))
    (local.set $a4 (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $r0) (local.get $x)) (i32.const 2))))))
    ;; a window holding a value that is not finite gives NaN (window3x3 of filters.ts): the sum of
    ;; nine float32 values is finite exactly when they all are
    (local.set $gx (f64.add (f64.add (f64.add (f64.add (local.get $a0) (local.get $a1)) (f64.add (local.get $a2) (local.get $a3)))
                                     (f64.add (local.get $a4) (local.get $a5)))
                            (f64.add (f64.add (local.get $a6) (local.get $a7)) (local.get $a8))))
    (if (f64.ne (f64.sub (local.get $gx) (local.get $gx)) (f64.const 0)) (then (return (f64.const nan))))
    (local.set $gx (f64.sub (f64.add (f64.add (f64.sub (local.get $a2) (local.get $a0))
      (f64.mul (f64.const 2) (f64.sub (local.get $a5) (local.get $a3)))) (local.get $a8)) (local.get $a6)))
    (local.set $gy (f64.sub (f64.add (f64.add (f64.sub (local.get $a6) (local.get $a0))
      (f64.mul (f64.const 2) (f64.sub (local.get $a7) (local.get $a1)))) (local.get $a8)) (local.get $a2)))
    (f64.add (f64.mul (local.get $gx) (local.get $gx)) (f64.mul (local.get $gy) (local.get $gy))))

  ;; sobelMagnitudeSq of a w x h plane (w, h >= 3) into out: interior two pixels per vector, the
  ;; border through $sobel_at.
  (func (export "sobel") (param $src i32) (param $w i32) (param $h i32) (param $out i32)
    (local $x i32) (local $y i32) (local $i i32) (local $endv i32) (local $end i32) (local $ws i32) (local $two v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128) (local $a8 v128)
    (local $gx v128) (local $gy v128) (local $q i32)
    (local.set $two (f64x2.splat (f64.const 2)))
    (local.set $ws (i32.shl (local.get $w) (i32.const 2)))
    (local.set $x (i32.const 0))
    (block $b_done (loop $b
      (br_if $b_done (i32.ge_s (local.get $x) (local.get $w)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $x) (i32.const 2)))
        (f32.demote_f64 (call $sobel_at (local.get $src) (local.get $w) (local.get $h) (local.get $x) (i32.const 0))))
      (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (i32.sub (local.get $h) (i32.const 1)) (local.get $w)) (local.get $x)) (i32.const 2)))
        (f32.demote_f64 (call $sobel_at (local.get $src) (local.get $w) (local.get $h) (local.get $x) (i32.sub (local.get $h) (i32.const 1)))))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $b)))
    (local.set $y (i32.const 1))
    (block $r_done (loop $r
      (br_if $r_done (i32.ge_s (local.get $y) (i32.sub (local.get $h) (i32.const 1))))
      (f32.store (i32.add (local.get $out) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2)))
        (f32.demote_f64 (call $sobel_at (local.get $src) (local.get $w) (local.get $h) (i32.const 0) (local.get $y))))
      (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (i32.sub (local.get $w) (i32.const 1))) (i32.const 2)))
        (f32.demote_f64 (call $sobel_at (local.get $src) (local.get $w) (local.get $h) (i32.sub (local.get $w) (i32.const 1)) (local.get $y))))
      ;; byte offsets of pixels (1, y) .. (w-2, y): pairs, then one left over when w - 2 is odd
      (local.set $i (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (i32.const 1)) (i32.const 2)))
      (local.set $end (i32.add (local.get $i) (i32.shl (i32.sub (local.get $w) (i32.const 2)) (i32.const 2))))
      (local.set $endv (i32.add (local.get $i) (i32.shl (i32.and (i32.sub (local.get $w) (i32.const 2)) (i32.const -2)) (i32.const 2))))
      (block $p_done (loop $p
        (br_if $p_done (i32.ge_u (local.get $i) (local.get $endv)))
        (local.set $q (i32.add (local.get $src) (local.get $i)))
        (local.set $a0 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.sub (i32.sub (local.get $q) (local.get $ws)) (i32.const 4)))))
        (local.set $a1 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.sub (local.get $q) (local.get $ws)))))
        (local.set $a2 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (i32.sub (local.get $q) (local.get $ws)) (i32.const 4)))))
        (local.set $a3 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.sub (local.get $q) (i32.const 4)))))
        (local.set $a5 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $q) (i32.const 4)))))
        (local.set $a6 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.sub (i32.add (local.get $q) (local.get $ws)) (i32.const 4)))))
        (local.set $a7 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $q) (local.get $ws)))))
        (local.set $a8 (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (i32.add (local.get $q) (local.get $ws)) (i32.const 4)))))
        (local.set $gx (f64x2.sub (f64x2.add (f64x2.add (f64x2.sub (local.get $a2) (local.get $a0))
          (f64x2.mul (local.get $two) (f64x2.sub (local.get $a5) (local.get $a3)))) (local.get $a8)) (local.get $a6)))
        (local.set $gy (f64x2.sub (f64x2.add (f64x2.add (f64x2.sub (local.get $a6) (local.get $a0))
          (f64x2.mul (local.get $two) (f64x2.sub (local.get $a7) (local.get $a1)))) (local.get $a8)) (local.get $a2)))
        ;; v + ((v - v) + (c - c)): v where v and the centre c are finite, NaN otherwise (as in JS)
        (local.set $gx (f64x2.add (f64x2.mul (local.get $gx) (local.get $gx)) (f64x2.mul (local.get $gy) (local.get $gy))))
        (local.set $a1 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $q))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $i))
          (f32x4.demote_f64x2_zero (f64x2.add (local.get $gx)
            (f64x2.add (f64x2.sub (local.get $gx) (local.get $gx)) (f64x2.sub (local.get $a1) (local.get $a1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $p)))
      (if (i32.lt_u (local.get $i) (local.get $end))
        (then
          (local.set $x (i32.sub (i32.shr_u (local.get $i) (i32.const 2)) (i32.mul (local.get $y) (local.get $w))))
          (f32.store (i32.add (local.get $out) (local.get $i))
            (f32.demote_f64 (call $sobel_at (local.get $src) (local.get $w) (local.get $h) (local.get $x) (local.get $y))))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $r)))
  )

  ;; One pass over the keys of the f32 values src[0..n) (key = v, or |v - c| in f64 when $dev):
  ;; $below = finite keys < p1, the keys in [p1, p2] packed into dst as f64 (in order); returns
  ;; their count. Keys that are not finite are neither below nor inside (p1 = -max, p2 = max
  ;; gathers exactly the finite keys).
  (func (export "gather_keys") (param $src i32) (param $n i32) (param $dev i32) (param $c f64) (param $p1 f64) (param $p2 f64) (param $dst i32) (result i32)
    (local $i i32) (local $end4 i32) (local $end i32) (local $j i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $vc v128) (local $v1 v128) (local $v2 v128) (local $bl v128) (local $m i32) (local $x f64) (local $below i32)
    (local $ninf v128)
    (local.set $vc (f64x2.splat (local.get $c)))
    (local.set $ninf (f64x2.splat (f64.const -inf)))
    (local.set $v1 (f64x2.splat (local.get $p1)))
    (local.set $v2 (f64x2.splat (local.get $p2)))
    (local.set $bl (v128.const i64x2 0 0))
    (local.set $i (local.get $src))
    (local.set $j (local.get $dst))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $v (v128.load (local.get $i)))
      (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
      (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))))
      (if (local.get $dev)
        (then
          (local.set $lo (f64x2.abs (f64x2.sub (local.get $lo) (local.get $vc))))
          (local.set $hi (f64x2.abs (f64x2.sub (local.get $hi) (local.get $vc))))))
      (local.set $bl (i64x2.sub (i64x2.sub (local.get $bl)
        (v128.and (f64x2.lt (local.get $lo) (local.get $v1)) (f64x2.gt (local.get $lo) (local.get $ninf))))
        (v128.and (f64x2.lt (local.get $hi) (local.get $v1)) (f64x2.gt (local.get $hi) (local.get $ninf)))))
      (local.set $m (i64x2.bitmask (v128.and (f64x2.ge (local.get $lo) (local.get $v1)) (f64x2.le (local.get $lo) (local.get $v2)))))
      (v128.store (local.get $j) (i8x16.swizzle (local.get $lo) (v128.load (i32.shl (local.get $m) (i32.const 4)))))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.popcnt (local.get $m)) (i32.const 3))))
      (local.set $m (i64x2.bitmask (v128.and (f64x2.ge (local.get $hi) (local.get $v1)) (f64x2.le (local.get $hi) (local.get $v2)))))
      (v128.store (local.get $j) (i8x16.swizzle (local.get $hi) (v128.load (i32.shl (local.get $m) (i32.const 4)))))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.popcnt (local.get $m)) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (local.set $below (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $bl)) (i64x2.extract_lane 1 (local.get $bl)))))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $x (f64.promote_f32 (f32.load (local.get $i))))
      (if (local.get $dev) (then (local.set $x (f64.abs (f64.sub (local.get $x) (local.get $c))))))
      (local.set $below (i32.add (local.get $below) (i32.and (f64.lt (local.get $x) (local.get $p1)) (f64.gt (local.get $x) (f64.const -inf)))))
      (f64.store (local.get $j) (local.get $x))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.and (f64.ge (local.get $x) (local.get $p1)) (f64.le (local.get $x) (local.get $p2))) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
    (global.set $below (local.get $below))
    (i32.shr_u (i32.sub (local.get $j) (local.get $dst)) (i32.const 3)))

  ;; Copies the w x h box at column x0 of a band of rows (bw f32 per row, from byte `band`) to
  ;; dst, row after row.
  (func (export "copy_tile") (param $band i32) (param $bw i32) (param $x0 i32) (param $w i32) (param $h i32) (param $dst i32)
    (local $row i32) (local $s i32) (local $d i32) (local $e i32) (local $e4 i32)
    (local.set $d (local.get $dst))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $row) (local.get $h)))
      (local.set $s (i32.add (local.get $band) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $bw)) (local.get $x0)) (i32.const 2))))
      (local.set $e (i32.add (local.get $s) (i32.shl (local.get $w) (i32.const 2))))
      (local.set $e4 (i32.add (local.get $s) (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
      (block $v_done (loop $v
        (br_if $v_done (i32.ge_u (local.get $s) (local.get $e4)))
        (v128.store (local.get $d) (v128.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $v)))
      (block $t_done (loop $t
        (br_if $t_done (i32.ge_u (local.get $s) (local.get $e)))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $t)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))
  )

  ;; gather_keys for plain keys (no deviation) and a bracket of float32 values (p1, p2 exact in
  ;; f32, so comparing in f32 is comparing in f64): four keys per vector, packed as f32 into
  ;; tmp, then widened into dst as f64. $below = finite keys < p1; returns the count inside.
  (func (export "gather_values") (param $src i32) (param $n i32) (param $p1 f32) (param $p2 f32) (param $tmp i32) (param $dst i32) (result i32)
    (local $i i32) (local $end4 i32) (local $end i32) (local $j i32) (local $v v128) (local $v1 v128) (local $v2 v128)
    (local $ninf v128) (local $bl v128) (local $m i32) (local $x f32) (local $below i32) (local $k i32) (local $d i32)
    (local.set $v1 (f32x4.splat (local.get $p1)))
    (local.set $v2 (f32x4.splat (local.get $p2)))
    (local.set $ninf (f32x4.splat (f32.const -inf)))
    (local.set $bl (v128.const i32x4 0 0 0 0))
    (local.set $i (local.get $src))
    (local.set $j (local.get $tmp))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $v (v128.load (local.get $i)))
      (local.set $bl (i32x4.sub (local.get $bl)
        (v128.and (f32x4.lt (local.get $v) (local.get $v1)) (f32x4.gt (local.get $v) (local.get $ninf)))))
      (local.set $m (i32x4.bitmask (v128.and (f32x4.ge (local.get $v) (local.get $v1)) (f32x4.le (local.get $v) (local.get $v2)))))
      (v128.store (local.get $j) (i8x16.swizzle (local.get $v) (v128.load (i32.add (i32.const 64) (i32.shl (local.get $m) (i32.const 4))))))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.popcnt (local.get $m)) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (local.set $below (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $bl)) (i32x4.extract_lane 1 (local.get $bl)))
      (i32.add (i32x4.extract_lane 2 (local.get $bl)) (i32x4.extract_lane 3 (local.get $bl)))))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $x (f32.load (local.get $i)))
      (local.set $below (i32.add (local.get $below) (i32.and (f32.lt (local.get $x) (local.get $p1)) (f32.gt (local.get $x) (f32.const -inf)))))
      (f32.store (local.get $j) (local.get $x))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.and (f32.ge (local.get $x) (local.get $p1)) (f32.le (local.get $x) (local.get $p2))) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
    (global.set $below (local.get $below))
    (local.set $k (i32.shr_u (i32.sub (local.get $j) (local.get $tmp)) (i32.const 2)))
    ;; widen: two keys per vector (one more, harmless, when k is odd: dst has slack)
    (local.set $i (local.get $tmp))
    (local.set $d (local.get $dst))
    (block $w_done (loop $w
      (br_if $w_done (i32.ge_u (local.get $i) (local.get $j)))
      (v128.store (local.get $d) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (br $w)))
    (local.get $k))

  ;; gather_keys over f64 keys src[0..n) (the narrowing passes).
  (func (export "gather_f64") (param $src i32) (param $n i32) (param $p1 f64) (param $p2 f64) (param $dst i32) (result i32)
    (local $i i32) (local $end2 i32) (local $end i32) (local $j i32) (local $v v128) (local $v1 v128) (local $v2 v128)
    (local $bl v128) (local $m i32) (local $x f64) (local $below i32)
    (local.set $v1 (f64x2.splat (local.get $p1)))
    (local.set $v2 (f64x2.splat (local.get $p2)))
    (local.set $bl (v128.const i64x2 0 0))
    (local.set $i (local.get $src))
    (local.set $j (local.get $dst))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end2)))
      (local.set $v (v128.load (local.get $i)))
      (local.set $bl (i64x2.sub (local.get $bl) (f64x2.lt (local.get $v) (local.get $v1))))
      (local.set $m (i64x2.bitmask (v128.and (f64x2.ge (local.get $v) (local.get $v1)) (f64x2.le (local.get $v) (local.get $v2)))))
      (v128.store (local.get $j) (i8x16.swizzle (local.get $v) (v128.load (i32.shl (local.get $m) (i32.const 4)))))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.popcnt (local.get $m)) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (local.set $below (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $bl)) (i64x2.extract_lane 1 (local.get $bl)))))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (local.set $x (f64.load (local.get $i)))
        (local.set $below (i32.add (local.get $below) (f64.lt (local.get $x) (local.get $p1))))
        (f64.store (local.get $j) (local.get $x))
        (local.set $j (i32.add (local.get $j) (i32.shl (i32.and (f64.ge (local.get $x) (local.get $p1)) (f64.le (local.get $x) (local.get $p2))) (i32.const 3))))))
    (global.set $below (local.get $below))
    (i32.shr_u (i32.sub (local.get $j) (local.get $dst)) (i32.const 3)))

  ;; The interior pixels (1..w-2, 1..h-2) of the f32 plane src whose value is above thr (compared
  ;; in f64) and strictly above each of its 8 neighbours (a NaN neighbour fails that), as indices
  ;; y*w + x in row-major order into dst (i32); returns their count. Four pixels per vector; the
  ;; neighbour loads of the last row may read up to 3 values past the plane (slack).
  (func (export "local_peaks") (param $src i32) (param $w i32) (param $h i32) (param $thr f64) (param $dst i32) (result i32)
    (local $y i32) (local $x i32) (local $p i32) (local $ws i32) (local $v v128) (local $vt v128) (local $m i32)
    (local $j i32) (local $last i32) (local $lane i32) (local $nb v128)
    (local.set $vt (f64x2.splat (local.get $thr)))
    (local.set $ws (i32.shl (local.get $w) (i32.const 2)))
    (local.set $j (local.get $dst))
    (local.set $y (i32.const 1))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $y) (i32.sub (local.get $h) (i32.const 1))))
      (local.set $x (i32.const 1))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $x) (i32.sub (local.get $w) (i32.const 1))))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $x)) (i32.const 2))))
        (local.set $v (v128.load (local.get $p)))
        (local.set $m (i32.or
          (i64x2.bitmask (f64x2.gt (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vt)))
          (i32.shl (i64x2.bitmask (f64x2.gt (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))) (local.get $vt))) (i32.const 2))))
        ;; lanes past x = w - 2 are not interior pixels of this row
        (local.set $last (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $x)))
        (if (i32.lt_s (local.get $last) (i32.const 4))
          (then (local.set $m (i32.and (local.get $m) (i32.sub (i32.shl (i32.const 1) (local.get $last)) (i32.const 1))))))
        (if (local.get $m)
          (then
            (local.set $nb (v128.and
              (v128.and
                (v128.and (f32x4.gt (local.get $v) (v128.load (i32.sub (i32.sub (local.get $p) (local.get $ws)) (i32.const 4))))
                          (f32x4.gt (local.get $v) (v128.load (i32.sub (local.get $p) (local.get $ws)))))
                (v128.and (f32x4.gt (local.get $v) (v128.load (i32.add (i32.sub (local.get $p) (local.get $ws)) (i32.const 4))))
                          (f32x4.gt (local.get $v) (v128.load (i32.sub (local.get $p) (i32.const 4))))))
              (v128.and
                (v128.and (f32x4.gt (local.get $v) (v128.load (i32.add (local.get $p) (i32.const 4))))
                          (f32x4.gt (local.get $v) (v128.load (i32.sub (i32.add (local.get $p) (local.get $ws)) (i32.const 4)))))
                (v128.and (f32x4.gt (local.get $v) (v128.load (i32.add (local.get $p) (local.get $ws))))
                          (f32x4.gt (local.get $v) (v128.load (i32.add (i32.add (local.get $p) (local.get $ws)) (i32.const 4))))))))
            (local.set $m (i32.and (local.get $m) (i32x4.bitmask (local.get $nb))))
            (block $emit_done (loop $emit
              (br_if $emit_done (i32.eqz (local.get $m)))
              (local.set $lane (i32.ctz (local.get $m)))
              (i32.store (local.get $j) (i32.add (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $x)) (local.get $lane)))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
              (br $emit)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $cols)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
    (i32.shr_u (i32.sub (local.get $j) (local.get $dst)) (i32.const 2)))

  ;; boxResidual of a tile holding invalid pixels (filters.ts, its general branch): window sums and
  ;; counts of the valid pixels (invalid ones add 0), mean NaN where a window has none. hcnt: w*h
  ;; f64 of row counts; ccnt: w f64.
  (func (export "box_residual_nan")
    (param $src i32) (param $w i32) (param $h i32) (param $k i32) (param $out i32)
    (param $hsum i32) (param $hcnt i32) (param $col i32) (param $ccnt i32) (param $xidx i32) (param $yidx i32)
    (local $y i32) (local $x i32) (local $i i32) (local $b i32) (local $o i32) (local $s f64) (local $c f64)
    (local $v f32) (local $u f32) (local $p i32) (local $base i32) (local $enter i32) (local $leave i32) (local $mean f64)
    (local.set $y (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $b (i32.add (local.get $src) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2))))
      (local.set $o (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 3)))
      (local.set $s (f64.const 0))
      (local.set $c (f64.const 0))
      (local.set $i (i32.const 0))
      (block $init_done (loop $init
        (br_if $init_done (i32.ge_s (local.get $i) (local.get $k)))
        (local.set $v (f32.load (i32.add (local.get $b) (i32.shl (i32.load (i32.add (local.get $xidx) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))
        (local.set $s (f64.add (local.get $s) (select (f64.promote_f32 (local.get $v)) (f64.const 0) (f32.eq (f32.sub (local.get $v) (local.get $v)) (f32.const 0)))))
        (local.set $c (f64.add (local.get $c) (select (f64.const 1) (f64.const 0) (f32.eq (f32.sub (local.get $v) (local.get $v)) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $init)))
      (local.set $x (i32.const 0))
      (block $run_done (loop $run
        (f64.store (i32.add (local.get $hsum) (i32.add (local.get $o) (i32.shl (local.get $x) (i32.const 3)))) (local.get $s))
        (f64.store (i32.add (local.get $hcnt) (i32.add (local.get $o) (i32.shl (local.get $x) (i32.const 3)))) (local.get $c))
        (br_if $run_done (i32.ge_s (i32.add (local.get $x) (i32.const 1)) (local.get $w)))
        (local.set $p (i32.add (local.get $xidx) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $v (f32.load (i32.add (local.get $b) (i32.shl (i32.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2)))))
        (local.set $u (f32.load (i32.add (local.get $b) (i32.shl (i32.load (local.get $p)) (i32.const 2)))))
        (local.set $s (f64.add (local.get $s) (f64.sub
          (select (f64.promote_f32 (local.get $v)) (f64.const 0) (f32.eq (f32.sub (local.get $v) (local.get $v)) (f32.const 0)))
          (select (f64.promote_f32 (local.get $u)) (f64.const 0) (f32.eq (f32.sub (local.get $u) (local.get $u)) (f32.const 0))))))
        (local.set $c (f64.add (local.get $c) (f64.sub
          (select (f64.const 1) (f64.const 0) (f32.eq (f32.sub (local.get $v) (local.get $v)) (f32.const 0)))
          (select (f64.const 1) (f64.const 0) (f32.eq (f32.sub (local.get $u) (local.get $u)) (f32.const 0))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $run)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
    (local.set $x (i32.const 0))
    (block $z_done (loop $z
      (br_if $z_done (i32.ge_s (local.get $x) (local.get $w)))
      (f64.store (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3))) (f64.const 0))
      (f64.store (i32.add (local.get $ccnt) (i32.shl (local.get $x) (i32.const 3))) (f64.const 0))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $z)))
    (local.set $i (i32.const 0))
    (block $c_done (loop $cl
      (br_if $c_done (i32.ge_s (local.get $i) (local.get $k)))
      (local.set $base (i32.shl (i32.mul (i32.load (i32.add (local.get $yidx) (i32.shl (local.get $i) (i32.const 2)))) (local.get $w)) (i32.const 3)))
      (local.set $x (i32.const 0))
      (block $cx_done (loop $cx
        (br_if $cx_done (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $p (i32.shl (local.get $x) (i32.const 3)))
        (f64.store (i32.add (local.get $col) (local.get $p))
          (f64.add (f64.load (i32.add (local.get $col) (local.get $p))) (f64.load (i32.add (local.get $hsum) (i32.add (local.get $base) (local.get $p))))))
        (f64.store (i32.add (local.get $ccnt) (local.get $p))
          (f64.add (f64.load (i32.add (local.get $ccnt) (local.get $p))) (f64.load (i32.add (local.get $hcnt) (i32.add (local.get $base) (local.get $p))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $cx)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $cl)))
    (local.set $y (i32.const 0))
    (block $v_done (loop $vl
      (br_if $v_done (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $base (i32.mul (local.get $y) (local.get $w)))
      (local.set $x (i32.const 0))
      (block $o_done (loop $ol
        (br_if $o_done (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $p (i32.shl (local.get $x) (i32.const 3)))
        (local.set $mean (select
          (f64.div (f64.load (i32.add (local.get $col) (local.get $p))) (f64.load (i32.add (local.get $ccnt) (local.get $p))))
          (f64.const nan)
          (f64.gt (f64.load (i32.add (local.get $ccnt) (local.get $p))) (f64.const 0.5))))
        (f32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $base) (local.get $x)) (i32.const 2)))
          (f32.demote_f64 (f64.sub
            (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (i32.add (local.get $base) (local.get $x)) (i32.const 2)))))
            (f64.promote_f32 (f32.demote_f64 (local.get $mean))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $ol)))
      (if (i32.lt_s (i32.add (local.get $y) (i32.const 1)) (local.get $h))
        (then
          (local.set $enter (i32.shl (i32.mul (i32.load (i32.add (local.get $yidx)
            (i32.shl (i32.add (local.get $y) (local.get $k)) (i32.const 2)))) (local.get $w)) (i32.const 3)))
          (local.set $leave (i32.shl (i32.mul (i32.load (i32.add (local.get $yidx)
            (i32.shl (local.get $y) (i32.const 2)))) (local.get $w)) (i32.const 3)))
          (local.set $x (i32.const 0))
          (block $u_done (loop $ul
            (br_if $u_done (i32.ge_s (local.get $x) (local.get $w)))
            (local.set $p (i32.shl (local.get $x) (i32.const 3)))
            (f64.store (i32.add (local.get $col) (local.get $p))
              (f64.add (f64.load (i32.add (local.get $col) (local.get $p)))
                (f64.sub (f64.load (i32.add (local.get $hsum) (i32.add (local.get $enter) (local.get $p))))
                         (f64.load (i32.add (local.get $hsum) (i32.add (local.get $leave) (local.get $p)))))))
            (f64.store (i32.add (local.get $ccnt) (local.get $p))
              (f64.add (f64.load (i32.add (local.get $ccnt) (local.get $p)))
                (f64.sub (f64.load (i32.add (local.get $hcnt) (i32.add (local.get $enter) (local.get $p))))
                         (f64.load (i32.add (local.get $hcnt) (i32.add (local.get $leave) (local.get $p)))))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $ul)))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $vl)))
  )

  ;; Rank k (0 <= k < n) of the n finite f64 keys a[0..n), which are read and not reordered: a
  ;; radix select on the keys' order-preserving u64 images (b the key's bits: b with the sign bit
  ;; flipped for b >= 0, ~b for b < 0; their unsigned order is the numeric order, -0 just below +0). Each round counts the
  ;; 8-bit digits just below the highest bit in which the keys left still differ (hist: 256 i32)
  ;; and keeps the keys of the digit holding rank k, packed in tmp (8 bytes per key; the first
  ;; round converts a into tmp). Ends when the keys left are equal; up to 16 keys left are ranked
  ;; by counting. The passes have no data-dependent branches: the quickselect (Wirth's FIND) used
  ;; before mispredicted about once per key it moved, on the few hundred keys a median ends with.
  (func (export "select_radix") (param $a i32) (param $n i32) (param $k i32) (param $tmp i32) (param $hist i32) (result f64)
    (local $i i32) (local $end i32) (local $end2 i32) (local $m i32) (local $j i32) (local $v v128) (local $ov v128) (local $av v128)
    (local $s i64) (local $o i64) (local $an i64) (local $diff i64) (local $shift i64) (local $b i32) (local $cum i32) (local $c i32)
    (local $lt i32) (local $le i32) (local $q i32)
    ;; convert a -> tmp, with the OR and AND of the images (their differing bits: OR ^ AND)
    (local.set $ov (v128.const i64x2 0 0))
    (local.set $av (v128.const i64x2 -1 -1))
    (local.set $i (i32.const 0))
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (local.set $end2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $cd (loop $cl
      (br_if $cd (i32.ge_u (local.get $i) (local.get $end2)))
      (local.set $v (v128.load (i32.add (local.get $a) (local.get $i))))
      (local.set $v (v128.xor (local.get $v) (v128.or (i64x2.shr_s (local.get $v) (i32.const 63)) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
      (v128.store (i32.add (local.get $tmp) (local.get $i)) (local.get $v))
      (local.set $ov (v128.or (local.get $ov) (local.get $v)))
      (local.set $av (v128.and (local.get $av) (local.get $v)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $cl)))
    (local.set $o (i64.or (i64x2.extract_lane 0 (local.get $ov)) (i64x2.extract_lane 1 (local.get $ov))))
    (local.set $an (i64.and (i64x2.extract_lane 0 (local.get $av)) (i64x2.extract_lane 1 (local.get $av))))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (local.set $s (i64.load (i32.add (local.get $a) (local.get $i))))
        (local.set $s (i64.xor (local.get $s) (i64.or (i64.shr_s (local.get $s) (i64.const 63)) (i64.const 0x8000000000000000))))
        (i64.store (i32.add (local.get $tmp) (local.get $i)) (local.get $s))
        (local.set $o (i64.or (local.get $o) (local.get $s)))
        (local.set $an (i64.and (local.get $an) (local.get $s)))))
    (local.set $diff (i64.xor (local.get $o) (local.get $an)))
    (local.set $m (local.get $n))
    (block $found (loop $round
      (br_if $found (i64.eqz (local.get $diff)))
      (if (i32.le_u (local.get $m) (i32.const 16))
        (then
          ;; rank by counting: key i is the answer when #(keys < it) <= k < #(keys <= it)
          (local.set $i (i32.const 0))
          (loop $each
            (local.set $s (i64.load (i32.add (local.get $tmp) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $lt (i32.const 0))
            (local.set $le (i32.const 0))
            (local.set $q (i32.const 0))
            (loop $cmp
              (local.set $o (i64.load (i32.add (local.get $tmp) (i32.shl (local.get $q) (i32.const 3)))))
              (local.set $lt (i32.add (local.get $lt) (i64.lt_u (local.get $o) (local.get $s))))
              (local.set $le (i32.add (local.get $le) (i64.le_u (local.get $o) (local.get $s))))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br_if $cmp (i32.lt_u (local.get $q) (local.get $m))))
            (if (i32.and (i32.le_u (local.get $lt) (local.get $k)) (i32.lt_u (local.get $k) (local.get $le)))
              (then
                (i64.store (local.get $tmp) (local.get $s))
                (br $found)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $each))))
      ;; the digit: 8 bits ending at the highest differing bit (bits above it are equal in all keys)
      (local.set $shift (i64.sub (i64.const 56) (i64.clz (local.get $diff))))
      (if (i64.lt_s (local.get $shift) (i64.const 0)) (then (local.set $shift (i64.const 0))))
      (local.set $i (i32.const 0))
      (loop $zero
        (v128.store (i32.add (local.get $hist) (local.get $i)) (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $zero (i32.lt_u (local.get $i) (i32.const 1024))))
      (local.set $end (i32.add (local.get $tmp) (i32.shl (local.get $m) (i32.const 3))))
      (local.set $i (local.get $tmp))
      (loop $count
        (local.set $j (i32.add (local.get $hist)
          (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (i64.load (local.get $i)) (local.get $shift))) (i32.const 255)) (i32.const 2))))
        (i32.store (local.get $j) (i32.add (i32.load (local.get $j)) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br_if $count (i32.lt_u (local.get $i) (local.get $end))))
      ;; the digit b holding rank k, and k among its keys
      (local.set $b (i32.const 0))
      (local.set $cum (i32.const 0))
      (block $at (loop $scan
        (local.set $c (i32.load (i32.add (local.get $hist) (i32.shl (local.get $b) (i32.const 2)))))
        (br_if $at (i32.gt_u (i32.add (local.get $cum) (local.get $c)) (local.get $k)))
        (local.set $cum (i32.add (local.get $cum) (local.get $c)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $scan)))
      (local.set $k (i32.sub (local.get $k) (local.get $cum)))
      ;; keep the keys of digit b (in place: the write index never passes the read index)
      (local.set $i (local.get $tmp))
      (local.set $j (local.get $tmp))
      (loop $keep
        (local.set $s (i64.load (local.get $i)))
        (i64.store (local.get $j) (local.get $s))
        (local.set $j (i32.add (local.get $j)
          (i32.shl (i32.eq (i32.and (i32.wrap_i64 (i64.shr_u (local.get $s) (local.get $shift))) (i32.const 255)) (local.get $b)) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br_if $keep (i32.lt_u (local.get $i) (local.get $end))))
      (local.set $m (local.get $c))
      ;; the bits in which the kept keys still differ
      (local.set $o (i64.const 0))
      (local.set $an (i64.const -1))
      (local.set $i (local.get $tmp))
      (local.set $end (i32.add (local.get $tmp) (i32.shl (local.get $m) (i32.const 3))))
      (loop $bits
        (local.set $s (i64.load (local.get $i)))
        (local.set $o (i64.or (local.get $o) (local.get $s)))
        (local.set $an (i64.and (local.get $an) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br_if $bits (i32.lt_u (local.get $i) (local.get $end))))
      (local.set $diff (i64.xor (local.get $o) (local.get $an)))
      (br $round)))
    ;; tmp[0] holds the answer's image (all keys left are equal, or it was ranked by counting)
    (local.set $s (i64.xor (i64.load (local.get $tmp)) (i64.const 0x8000000000000000)))
    (f64.reinterpret_i64 (i64.xor (local.get $s) (i64.shr_u (i64.shr_s (local.get $s) (i64.const 63)) (i64.const 1)))))

  ;; The largest of the f64 keys a[0..n) below v (-infinity if none); $below = how many are below v.
  (func (export "max_below") (param $a i32) (param $n i32) (param $v f64) (result f64)
    (local $i i32) (local $end i32) (local $end2 i32) (local $x v128) (local $lt v128) (local $mx v128) (local $bl v128)
    (local $vv v128) (local $r f64) (local $y f64) (local $below i32)
    (local.set $vv (f64x2.splat (local.get $v)))
    (local.set $mx (f64x2.splat (f64.const -inf)))
    (local.set $bl (v128.const i64x2 0 0))
    (local.set $i (local.get $a))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end2)))
      (local.set $x (v128.load (local.get $i)))
      (local.set $lt (f64x2.lt (local.get $x) (local.get $vv)))
      (local.set $bl (i64x2.sub (local.get $bl) (local.get $lt)))
      (local.set $mx (f64x2.max (local.get $mx) (v128.bitselect (local.get $x) (f64x2.splat (f64.const -inf)) (local.get $lt))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (local.set $below (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $bl)) (i64x2.extract_lane 1 (local.get $bl)))))
    (local.set $r (f64.max (f64x2.extract_lane 0 (local.get $mx)) (f64x2.extract_lane 1 (local.get $mx))))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (local.set $y (f64.load (local.get $i)))
        (if (f64.lt (local.get $y) (local.get $v))
          (then
            (local.set $below (i32.add (local.get $below) (i32.const 1)))
            (local.set $r (f64.max (local.get $r) (local.get $y)))))))
    (global.set $below (local.get $below))
    (local.get $r))

  ;; The background pixels of a tile: the pairs (tile[i], r[i]) with tile[i] <= limit (compared
  ;; in f64), packed in order into bgY and bgR; returns their count.
  (func (export "split_background") (param $tile i32) (param $r i32) (param $n i32) (param $limit f64) (param $bgy i32) (param $bgr i32) (result i32)
    (local $i i32) (local $end4 i32) (local $n4 i32) (local $v v128) (local $lim v128) (local $m i32) (local $t v128) (local $j i32) (local $x f32)
    (local.set $lim (f64x2.splat (local.get $limit)))
    (local.set $n4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $i (i32.const 0))
    (local.set $j (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n4)))
      (local.set $v (v128.load (i32.add (local.get $tile) (local.get $i))))
      (local.set $m (i32.or
        (i64x2.bitmask (f64x2.le (f64x2.promote_low_f32x4 (local.get $v)) (local.get $lim)))
        (i32.shl (i64x2.bitmask (f64x2.le (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))) (local.get $lim))) (i32.const 2))))
      (local.set $t (v128.load (i32.add (i32.const 64) (i32.shl (local.get $m) (i32.const 4)))))
      (v128.store (i32.add (local.get $bgy) (local.get $j)) (i8x16.swizzle (local.get $v) (local.get $t)))
      (v128.store (i32.add (local.get $bgr) (local.get $j)) (i8x16.swizzle (v128.load (i32.add (local.get $r) (local.get $i))) (local.get $t)))
      (local.set $j (i32.add (local.get $j) (i32.shl (i32.popcnt (local.get $m)) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $x (f32.load (i32.add (local.get $tile) (local.get $i))))
      (f32.store (i32.add (local.get $bgy) (local.get $j)) (local.get $x))
      (f32.store (i32.add (local.get $bgr) (local.get $j)) (f32.load (i32.add (local.get $r) (local.get $i))))
      (local.set $j (i32.add (local.get $j) (i32.shl (f64.le (f64.promote_f32 (local.get $x)) (local.get $limit)) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
    (i32.shr_u (local.get $j) (i32.const 2)))
)
