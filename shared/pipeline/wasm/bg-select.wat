;; E of P2.4 (global-metrics.ts proxyNoiseAndStructure) over a float32 |grad|^2 plane copied to 0:
;;   compact: the finite values moved to the front in their order (as the JS gather), count back;
;;   select:  stats.ts selectInPlace(a, k) on a[0..n), swap for swap: median-of-three pivot moved to
;;            a[hi], Lomuto partition, recurse into the side holding k. The partition is written
;;            without a branch (the swap partner's index moves by c*(j - i), c = a[j] < pivot),
;;            which leaves the same arrangement: for c = 0 both stores write back what was loaded.
;;            Comparing float32 values is comparing their float64 values, so the arrangement is
;;            the one the JS makes of the same values in a Float64Array;
;;   sum:     a[0] + a[1] + ... + a[k-1] in float64, in array order.
;; Memory: the values (f32) from byte 0.
(module
  (memory (export "memory") 1)

  (func (export "compact") (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $m i32) (local $b i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $b (i32.load (local.get $p)))
      (i32.store (local.get $m) (local.get $b))
      ;; finite: exponent not all ones
      (local.set $m (i32.add (local.get $m)
        (i32.shl (i32.ne (i32.and (local.get $b) (i32.const 0x7f800000)) (i32.const 0x7f800000)) (i32.const 2))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l)))
    (i32.shr_u (local.get $m) (i32.const 2)))

  (func $swap (param $x i32) (param $y i32)
    (local $t f32)
    (local.set $t (f32.load (local.get $x)))
    (f32.store (local.get $x) (f32.load (local.get $y)))
    (f32.store (local.get $y) (local.get $t)))

  ;; indices in bytes below (element index * 4)
  (func (export "select") (param $n i32) (param $k i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $i i32) (local $j i32) (local $d i32) (local $c i32)
    (local $pivot f32) (local $x f32) (local $y f32)
    (local.set $k (i32.shl (local.get $k) (i32.const 2)))
    (local.set $hi (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 2)))
    (block $done (loop $outer
      (br_if $done (i32.le_s (local.get $hi) (local.get $lo)))
      (local.set $mid (i32.shl (i32.shr_u (i32.add (i32.shr_u (local.get $lo) (i32.const 2)) (i32.shr_u (local.get $hi) (i32.const 2))) (i32.const 1)) (i32.const 2)))
      (if (f32.lt (f32.load (local.get $mid)) (f32.load (local.get $lo))) (then (call $swap (local.get $mid) (local.get $lo))))
      (if (f32.lt (f32.load (local.get $hi)) (f32.load (local.get $lo))) (then (call $swap (local.get $hi) (local.get $lo))))
      (if (f32.lt (f32.load (local.get $mid)) (f32.load (local.get $hi))) (then (call $swap (local.get $mid) (local.get $hi))))
      (local.set $pivot (f32.load (local.get $hi)))
      (local.set $i (local.get $lo))
      (local.set $j (local.get $lo))
      (block $pdone (loop $part
        (br_if $pdone (i32.ge_s (local.get $j) (local.get $hi)))
        (local.set $c (f32.lt (f32.load (local.get $j)) (local.get $pivot)))
        (local.set $d (i32.mul (local.get $c) (i32.sub (local.get $j) (local.get $i))))
        (local.set $x (f32.load (i32.add (local.get $i) (local.get $d))))
        (local.set $y (f32.load (i32.sub (local.get $j) (local.get $d))))
        (f32.store (local.get $i) (local.get $x))
        (f32.store (local.get $j) (local.get $y))
        (local.set $i (i32.add (local.get $i) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $part)))
      (call $swap (local.get $i) (local.get $hi))
      (br_if $done (i32.eq (local.get $i) (local.get $k)))
      (if (i32.lt_s (local.get $i) (local.get $k))
        (then (local.set $lo (i32.add (local.get $i) (i32.const 4))))
        (else (local.set $hi (i32.sub (local.get $i) (i32.const 4)))))
      (br $outer))))

  (func (export "sum") (param $k i32) (result f64)
    (local $p i32) (local $end i32) (local $s f64)
    (local.set $end (i32.shl (local.get $k) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l)))
    (local.get $s))
)
