;; The adaptive second moments of measure-star.ts (adaptiveMoments, METHOD.md P2 [EXT]) for
;; star-moments.ts: the Gaussian-weighted sums of one window iteration over a star's patch, with
;; the exponential computed as V8 computes Math.exp (the fdlibm algorithm of e_exp.c: argument
;; reduction by k*ln2 split in hi and lo parts, a degree-5 polynomial, scaling by 2^k), so every sum
;; is the bit pattern the JS loop gives. star-moments.test.ts checks $exp against Math.exp.
;;
;; Memory layout (bytes): 0..63 the six sums (out), 64.. the x offsets, then their squares (side
;; f64 each), then the patch (side*side f64) at the address the caller passes, then (16-byte
;; aligned) the exponents (side*side + 1 f64).
(module
  (memory (export "memory") 1)

  ;; Math.exp(x) of V8 (fdlibm e_exp.c), bit for bit, for every double x.
  (func $exp (export "exp") (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $t f64) (local $c f64) (local $y f64) (local $twopk f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (f64.ne (local.get $x) (local.get $x)) (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))
        (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02)) (then (return (f64.const inf))))
        (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02)) (then (return (f64.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2))
          (then
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 2.718281828459045))))
            (if (local.get $xsb)
              (then
                (local.set $hi (f64.add (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const -1.90821492927058770002e-10))
                (local.set $k (i32.const -1)))
              (else
                (local.set $hi (f64.sub (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const 1.90821492927058770002e-10))
                (local.set $k (i32.const 1)))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))
          (then (return (f64.add (f64.const 1) (local.get $x)))))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
      (i32.add (i32.const 0x3ff00000) (i32.shl (select (local.get $k) (i32.add (local.get $k) (i32.const 1000)) (i32.ge_s (local.get $k) (i32.const -1021))) (i32.const 20))))
      (i64.const 32))))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
      (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
      (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
      (f64.add (f64.const -1.65339022054652515390e-06) (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k))
      (then (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1) (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024)) (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 8.988465674311579539e307)))))
        (return (f64.mul (local.get $y) (local.get $twopk)))))
    (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const 9.33263618503218878990e-302)))

  ;; buf[0..n) (n even) replaced by their $exp, two per vector. Pairs with -707 < x <= -2^-28
  ;; (negative arguments with k >= -1021, the weights' range apart from -0) take e_exp.c's
  ;; operations with its argument ranges as lane selects (|x| <= 0.5 ln2: k = 0; < 1.5 ln2: k = -1;
  ;; else k = trunc(x/ln2 - 0.5)); other pairs go through $exp. One loop, so neighbouring pairs
  ;; overlap (a call per pair left the long dependency chain of each exp unhidden).
  (func $exp_block (param $buf i32) (param $n i32)
    (local $x v128) (local $p i32) (local $end i32)
    (local $ax v128) (local $a v128) (local $t v128) (local $hi v128) (local $lo v128)
    (local $xr v128) (local $tt v128) (local $c v128) (local $ra v128) (local $rb v128)
    (local.set $p (local.get $buf))
    (local.set $end (i32.add (local.get $buf) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $x (v128.load (local.get $p)))
      (block $next
        (if (i32.eqz (i64x2.all_true (v128.and
              (f64x2.gt (local.get $x) (f64x2.splat (f64.const -707)))
              (f64x2.le (local.get $x) (f64x2.splat (f64.const -3.725290298461914e-9))))))
          (then
            (v128.store (local.get $p) (f64x2.replace_lane 1
              (f64x2.splat (call $exp (f64x2.extract_lane 0 (local.get $x))))
              (call $exp (f64x2.extract_lane 1 (local.get $x)))))
            (br $next)))
        ;; the ranges by value: high word of |x| <= 0x3fd62e42 is |x| < 0x3fd62e43_00000000, and
        ;; high word < 0x3ff0a2b2 is |x| < 0x3ff0a2b2_00000000 (doubles order as their bits)
        (local.set $ax (f64x2.abs (local.get $x)))
        (local.set $a (f64x2.lt (local.get $ax) (f64x2.splat (f64.const 0.3465735912322998))))
        ;; t = k as a double: trunc(x/ln2 - 0.5), or -1 below 1.5 ln2
        (local.set $t (v128.bitselect
          (f64x2.splat (f64.const -1))
          (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x)) (f64x2.splat (f64.const -0.5))))
          (f64x2.lt (local.get $ax) (f64x2.splat (f64.const 1.0397205352783203)))))
        (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $t) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
        (local.set $lo (f64x2.mul (local.get $t) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
        (local.set $xr (v128.bitselect (local.get $x) (f64x2.sub (local.get $hi) (local.get $lo)) (local.get $a)))
        (local.set $tt (f64x2.mul (local.get $xr) (local.get $xr)))
        (local.set $c (f64x2.sub (local.get $xr) (f64x2.mul (local.get $tt)
          (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (f64x2.mul (local.get $tt)
          (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (f64x2.mul (local.get $tt)
          (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (f64x2.mul (local.get $tt)
          (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (f64x2.mul (local.get $tt) (f64x2.splat (f64.const 4.13813679705723846039e-08)))))))))))))
        (if (v128.any_true (local.get $a))
          (then
            (local.set $ra (f64x2.sub (f64x2.splat (f64.const 1))
              (f64x2.sub (f64x2.div (f64x2.mul (local.get $xr) (local.get $c)) (f64x2.sub (local.get $c) (f64x2.splat (f64.const 2)))) (local.get $xr))))
            (if (i64x2.all_true (local.get $a)) (then (v128.store (local.get $p) (local.get $ra)) (br $next)))))
        ;; y * 2^k; 2^k from the low bits of t + (2^52 + 1023), which hold k + 1023
        (local.set $rb (f64x2.mul
          (f64x2.sub (f64x2.splat (f64.const 1))
            (f64x2.sub (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $xr) (local.get $c)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c))))
                       (local.get $hi)))
          (i64x2.shl (f64x2.add (local.get $t) (f64x2.splat (f64.const 4503599627371519))) (i32.const 52))))
        (v128.store (local.get $p) (v128.bitselect (local.get $ra) (local.get $rb) (local.get $a))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $loop))))

  ;; exp of x0 and x1 through $exp_block, stored at out (for the tests).
  (func (export "exp_pair") (param $x0 f64) (param $x1 f64) (param $out i32)
    (f64.store (local.get $out) (local.get $x0))
    (f64.store offset=8 (local.get $out) (local.get $x1))
    (call $exp_block (local.get $out) (i32.const 2)))

;; One iteration of adaptiveMoments' window sums: for the patch (side = 2r+1, row-major f64 at
  ;; $patch), window centre (mx, my) and 2*s2, stores sw, sx, sy, sxx, syy, sxy at 0..47, each
  ;; accumulated in the JS loop's order. The exponents of all pixels are formed first (after the
  ;; patch, 16-byte aligned), exponentiated in pairs by $exp_block, then summed; the x offsets and
  ;; their squares are at 64 and 64 + 8*side.
  (func (export "window_sums") (param $patch i32) (param $r i32) (param $bg f64) (param $mx f64) (param $my f64) (param $two_s2 f64)
    (local $side i32) (local $c i32) (local $dy i32) (local $k i32) (local $ex f64) (local $ey f64) (local $eyy f64)
    (local $wt f64) (local $wx f64) (local $wy f64) (local $exx i32) (local $arg i32) (local $n i32) (local $e i32)
    (local $sw f64) (local $sx f64) (local $sy f64) (local $sxx f64) (local $syy f64) (local $sxy f64)
    (local.set $side (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.const 1)))
    (local.set $n (i32.mul (local.get $side) (local.get $side)))
    (local.set $exx (i32.add (i32.const 64) (i32.shl (local.get $side) (i32.const 3))))
    (local.set $arg (i32.and (i32.add (i32.add (local.get $patch) (i32.shl (local.get $n) (i32.const 3))) (i32.const 15)) (i32.const -16)))
    (local.set $c (i32.const 0))
    (block $x_done (loop $xs
      (br_if $x_done (i32.ge_s (local.get $c) (local.get $side)))
      (local.set $ex (f64.sub (f64.convert_i32_s (i32.sub (local.get $c) (local.get $r))) (local.get $mx)))
      (f64.store (i32.add (i32.const 64) (i32.shl (local.get $c) (i32.const 3))) (local.get $ex))
      (f64.store (i32.add (local.get $exx) (i32.shl (local.get $c) (i32.const 3))) (f64.mul (local.get $ex) (local.get $ex)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $xs)))
    ;; exponents -(ex^2 + ey^2) / (2 s2), row-major; one more (0) to make the count even
    (local.set $e (local.get $arg))
    (local.set $dy (i32.sub (i32.const 0) (local.get $r)))
    (block $ar_done (loop $ar
      (br_if $ar_done (i32.gt_s (local.get $dy) (local.get $r)))
      (local.set $ey (f64.sub (f64.convert_i32_s (local.get $dy)) (local.get $my)))
      (local.set $eyy (f64.mul (local.get $ey) (local.get $ey)))
      (local.set $c (i32.const 0))
      (block $ac_done (loop $ac
        (br_if $ac_done (i32.ge_s (local.get $c) (local.get $side)))
        (f64.store (local.get $e) (f64.div (f64.neg (f64.add (f64.load (i32.add (local.get $exx) (i32.shl (local.get $c) (i32.const 3)))) (local.get $eyy)))
                                           (local.get $two_s2)))
        (local.set $e (i32.add (local.get $e) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $ac)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
      (br $ar)))
    (f64.store (local.get $e) (f64.const 0))
    (call $exp_block (local.get $arg) (i32.and (i32.add (local.get $n) (i32.const 1)) (i32.const -2)))
    (local.set $k (local.get $patch))
    (local.set $e (local.get $arg))
    (local.set $dy (i32.sub (i32.const 0) (local.get $r)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.gt_s (local.get $dy) (local.get $r)))
      (local.set $ey (f64.sub (f64.convert_i32_s (local.get $dy)) (local.get $my)))
      (local.set $c (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $c) (local.get $side)))
        (local.set $ex (f64.load (i32.add (i32.const 64) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $wt (f64.mul (f64.sub (f64.load (local.get $k)) (local.get $bg)) (f64.load (local.get $e))))
        (local.set $wx (f64.mul (local.get $wt) (local.get $ex)))
        (local.set $wy (f64.mul (local.get $wt) (local.get $ey)))
        (local.set $sw (f64.add (local.get $sw) (local.get $wt)))
        (local.set $sx (f64.add (local.get $sx) (local.get $wx)))
        (local.set $sy (f64.add (local.get $sy) (local.get $wy)))
        (local.set $sxx (f64.add (local.get $sxx) (f64.mul (local.get $wx) (local.get $ex))))
        (local.set $syy (f64.add (local.get $syy) (f64.mul (local.get $wy) (local.get $ey))))
        (local.set $sxy (f64.add (local.get $sxy) (f64.mul (local.get $wx) (local.get $ey))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (local.set $e (i32.add (local.get $e) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cols)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
      (br $rows)))
    (f64.store (i32.const 0) (local.get $sw))
    (f64.store (i32.const 8) (local.get $sx))
    (f64.store (i32.const 16) (local.get $sy))
    (f64.store (i32.const 24) (local.get $sxx))
    (f64.store (i32.const 32) (local.get $syy))
    (f64.store (i32.const 40) (local.get $sxy)))
)
