;; The two passes over the pixels of image/radix-median.ts (exact median and sigma_MAD of float32
;; pixels by an order-preserving 20-bit key histogram), for spans of pixels copied into this memory:
;;   count:   hist[key(v)] += 1 for every value (not masked), keys as keyOf in radix-median.ts;
;;   collect: the values whose key lies in the median buckets [midFirst, midLast] appended to one
;;            list, those in the band ranges [upStart, upEnd] and [downStart, downEnd] to another
;;            (empty ranges have end < start), 4 keys tested at once and skipped together;
;;   occupied: count of the finite buckets and the first and last non-empty one;
;;   mark:    the object mask of background.ts markObjects (|v - median| > limit) for a span.
;; Values are taken every `step` floats (a CFA colour: 2); the mask byte of a value lies at the
;; same index of the mask span. Non-finite values have keys outside the finite buckets; count
;; counts them as the JS does, collect never selects them (the ranges are finite buckets).
;;
;; Memory (bytes; bg-radix.ts lays it out):
;;   0          hist: 2^20 i32 counts
;;   4 MB       results: i32 midCount, bandCount (collect), n, first, last (occupied)
;;   4 MB + 64  data span (f32), then its mask span (u8), then the two output lists (f32), each
;;              with 16 spare bytes (the 4-wide path writes one value past a list's end)
(module
  (memory (export "memory") 1)

  (func (export "count") (param $d i32) (param $m i32) (param $n i32) (param $step i32) (param $useMask i32)
    (local $end i32) (local $s4 i32) (local $a i32) (local $t i32)
    (local.set $s4 (i32.shl (local.get $step) (i32.const 2)))
    (local.set $end (i32.add (local.get $d) (i32.mul (local.get $n) (local.get $s4))))
    (if (i32.eqz (local.get $useMask)) (then
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (local.set $a (i32.shl (i32.shr_u (i32.xor (local.tee $t (i32.load (local.get $d))) (i32.or (i32.shr_s (local.get $t) (i32.const 31)) (i32.const 0x80000000))) (i32.const 12)) (i32.const 2)))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $d (i32.add (local.get $d) (local.get $s4)))
        (br $l)))
      (return)))
    (block $done2 (loop $l2
      (br_if $done2 (i32.ge_u (local.get $d) (local.get $end)))
      (local.set $a (i32.shl (i32.shr_u (i32.xor (local.tee $t (i32.load (local.get $d))) (i32.or (i32.shr_s (local.get $t) (i32.const 31)) (i32.const 0x80000000))) (i32.const 12)) (i32.const 2)))
      (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.eqz (i32.load8_u (local.get $m)))))
      (local.set $d (i32.add (local.get $d) (local.get $s4)))
      (local.set $m (i32.add (local.get $m) (local.get $step)))
      (br $l2))))

  ;; appends one value to its list by class; returns nothing, advances the counts in memory
  (func (export "collect") (param $d i32) (param $m i32) (param $n i32) (param $step i32) (param $useMask i32)
        (param $midFirst i32) (param $midLast i32) (param $upStart i32) (param $upEnd i32) (param $downStart i32) (param $downEnd i32)
        (param $outMid i32) (param $outBand i32)
    (local $end i32) (local $end4 i32) (local $s4 i32) (local $jm i32) (local $jb i32) (local $b i32) (local $k i32) (local $mm i32)
    (local $bits v128) (local $keys v128) (local $mid v128) (local $band v128)
    (local.set $s4 (i32.shl (local.get $step) (i32.const 2)))
    (local.set $end (i32.add (local.get $d) (i32.mul (local.get $n) (local.get $s4))))
    (local.set $jm (i32.load (i32.const 4194304)))
    (local.set $jb (i32.load (i32.const 4194308)))
    ;; contiguous spans and CFA rows (step 2): 4 keys per test; a group with no key in any range
    ;; is skipped
    (if (i32.le_u (local.get $step) (i32.const 2)) (then
      (local.set $end4 (i32.add (local.get $d) (i32.mul (i32.and (local.get $n) (i32.const -4)) (local.get $s4))))
      (block $done4 (loop $l4
        (br_if $done4 (i32.ge_u (local.get $d) (local.get $end4)))
        (if (i32.eq (local.get $step) (i32.const 1))
          (then (local.set $bits (v128.load (local.get $d))))
          ;; every other float of 8 (the last one read lies within the span's padding)
          (else (local.set $bits (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load (local.get $d)) (v128.load offset=16 (local.get $d))))))
        (local.set $keys (i32x4.shr_u (v128.xor (local.get $bits) (v128.or (i32x4.shr_s (local.get $bits) (i32.const 31)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))) (i32.const 12)))
        (local.set $mid (v128.and (i32x4.ge_u (local.get $keys) (i32x4.splat (local.get $midFirst))) (i32x4.le_u (local.get $keys) (i32x4.splat (local.get $midLast)))))
        (local.set $band
          (v128.or
            (v128.and (i32x4.ge_u (local.get $keys) (i32x4.splat (local.get $upStart))) (i32x4.le_u (local.get $keys) (i32x4.splat (local.get $upEnd))))
            (v128.and (i32x4.ge_u (local.get $keys) (i32x4.splat (local.get $downStart))) (i32x4.le_u (local.get $keys) (i32x4.splat (local.get $downEnd))))))
        (if (local.get $useMask) (then
          ;; lanes whose mask byte is 0
          (local.set $keys (v128.load64_zero (local.get $m)))
          (if (i32.eq (local.get $step) (i32.const 2)) (then
            (local.set $keys (i8x16.shuffle 0 2 4 6 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $keys) (local.get $keys)))))
          (local.set $keys (i32x4.eq (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (local.get $keys))) (v128.const i32x4 0 0 0 0)))
          (local.set $mid (v128.and (local.get $mid) (local.get $keys)))
          (local.set $band (v128.and (local.get $band) (local.get $keys)))))
        (if (v128.any_true (v128.or (local.get $mid) (local.get $band))) (then
          ;; every lane is written to both lists; a list's count moves on only for its own lanes
          ;; (lane masks are -1/0), so the lists keep pixel order without a branch per lane
          (i32.store (i32.add (local.get $outMid) (i32.shl (local.get $jm) (i32.const 2))) (i32x4.extract_lane 0 (local.get $bits)))
          (local.set $jm (i32.sub (local.get $jm) (i32x4.extract_lane 0 (local.get $mid))))
          (i32.store (i32.add (local.get $outBand) (i32.shl (local.get $jb) (i32.const 2))) (i32x4.extract_lane 0 (local.get $bits)))
          (local.set $jb (i32.sub (local.get $jb) (i32x4.extract_lane 0 (local.get $band))))
          (i32.store (i32.add (local.get $outMid) (i32.shl (local.get $jm) (i32.const 2))) (i32x4.extract_lane 1 (local.get $bits)))
          (local.set $jm (i32.sub (local.get $jm) (i32x4.extract_lane 1 (local.get $mid))))
          (i32.store (i32.add (local.get $outBand) (i32.shl (local.get $jb) (i32.const 2))) (i32x4.extract_lane 1 (local.get $bits)))
          (local.set $jb (i32.sub (local.get $jb) (i32x4.extract_lane 1 (local.get $band))))
          (i32.store (i32.add (local.get $outMid) (i32.shl (local.get $jm) (i32.const 2))) (i32x4.extract_lane 2 (local.get $bits)))
          (local.set $jm (i32.sub (local.get $jm) (i32x4.extract_lane 2 (local.get $mid))))
          (i32.store (i32.add (local.get $outBand) (i32.shl (local.get $jb) (i32.const 2))) (i32x4.extract_lane 2 (local.get $bits)))
          (local.set $jb (i32.sub (local.get $jb) (i32x4.extract_lane 2 (local.get $band))))
          (i32.store (i32.add (local.get $outMid) (i32.shl (local.get $jm) (i32.const 2))) (i32x4.extract_lane 3 (local.get $bits)))
          (local.set $jm (i32.sub (local.get $jm) (i32x4.extract_lane 3 (local.get $mid))))
          (i32.store (i32.add (local.get $outBand) (i32.shl (local.get $jb) (i32.const 2))) (i32x4.extract_lane 3 (local.get $bits)))
          (local.set $jb (i32.sub (local.get $jb) (i32x4.extract_lane 3 (local.get $band))))))
        (local.set $d (i32.add (local.get $d) (i32.shl (local.get $s4) (i32.const 2))))
        (local.set $m (i32.add (local.get $m) (i32.shl (local.get $step) (i32.const 2))))
        (br $l4)))))
    ;; the rest one by one (strided spans, the last 0..3 values)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
      (local.set $b (i32.load (local.get $d)))
      (local.set $k (i32.shr_u (i32.xor (local.get $b) (i32.or (i32.shr_s (local.get $b) (i32.const 31)) (i32.const 0x80000000))) (i32.const 12)))
      (local.set $mm (i32.const 0))
      (if (local.get $useMask) (then (local.set $mm (i32.load8_u (local.get $m)))))
      (if (i32.eqz (local.get $mm)) (then
        (if (i32.and (i32.ge_u (local.get $k) (local.get $midFirst)) (i32.le_u (local.get $k) (local.get $midLast)))
          (then
            (i32.store (i32.add (local.get $outMid) (i32.shl (local.get $jm) (i32.const 2))) (local.get $b))
            (local.set $jm (i32.add (local.get $jm) (i32.const 1))))
          (else
            (if (i32.or
                  (i32.and (i32.ge_u (local.get $k) (local.get $upStart)) (i32.le_u (local.get $k) (local.get $upEnd)))
                  (i32.and (i32.ge_u (local.get $k) (local.get $downStart)) (i32.le_u (local.get $k) (local.get $downEnd))))
              (then
                (i32.store (i32.add (local.get $outBand) (i32.shl (local.get $jb) (i32.const 2))) (local.get $b))
                (local.set $jb (i32.add (local.get $jb) (i32.const 1)))))))))
      (local.set $d (i32.add (local.get $d) (local.get $s4)))
      (local.set $m (i32.add (local.get $m) (local.get $step)))
      (br $l)))
    (i32.store (i32.const 4194304) (local.get $jm))
    (i32.store (i32.const 4194308) (local.get $jb)))

  ;; mark: the mask byte of every value with |v - med| > limit (float64, as markObjects) set to 1,
  ;; the others left as they are; NaN compares false. 2 values per test (step 1 or 2), skipped
  ;; while none is out.
  (func (export "mark") (param $d i32) (param $m i32) (param $n i32) (param $step i32) (param $med f64) (param $limit f64)
    (local $end i32) (local $end2 i32) (local $s4 i32) (local $out v128) (local $medv v128) (local $limv v128)
    (local.set $s4 (i32.shl (local.get $step) (i32.const 2)))
    (local.set $end (i32.add (local.get $d) (i32.mul (local.get $n) (local.get $s4))))
    (if (i32.le_u (local.get $step) (i32.const 2)) (then
      (local.set $medv (f64x2.splat (local.get $med)))
      (local.set $limv (f64x2.splat (local.get $limit)))
      (local.set $end2 (i32.add (local.get $d) (i32.mul (i32.and (local.get $n) (i32.const -2)) (local.get $s4))))
      (block $done2 (loop $l2
        (br_if $done2 (i32.ge_u (local.get $d) (local.get $end2)))
        (if (i32.eq (local.get $step) (i32.const 1))
          (then (local.set $out (v128.load64_zero (local.get $d))))
          (else (local.set $out (i8x16.shuffle 0 1 2 3 8 9 10 11 0 0 0 0 0 0 0 0 (v128.load (local.get $d)) (v128.load (local.get $d))))))
        (local.set $out (f64x2.gt (f64x2.abs (f64x2.sub (f64x2.promote_low_f32x4 (local.get $out)) (local.get $medv))) (local.get $limv)))
        (if (v128.any_true (local.get $out)) (then
          (if (i32x4.extract_lane 0 (local.get $out)) (then (i32.store8 (local.get $m) (i32.const 1))))
          (if (i32x4.extract_lane 2 (local.get $out)) (then (i32.store8 (i32.add (local.get $m) (local.get $step)) (i32.const 1))))))
        (local.set $d (i32.add (local.get $d) (i32.shl (local.get $s4) (i32.const 1))))
        (local.set $m (i32.add (local.get $m) (i32.shl (local.get $step) (i32.const 1))))
        (br $l2)))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
      (if (f64.gt (f64.abs (f64.sub (f64.promote_f32 (f32.load (local.get $d))) (local.get $med))) (local.get $limit))
        (then (i32.store8 (local.get $m) (i32.const 1))))
      (local.set $d (i32.add (local.get $d) (local.get $s4)))
      (local.set $m (i32.add (local.get $m) (local.get $step)))
      (br $l))))

  ;; n = sum of hist[from..to], first/last non-empty bucket (-1 if none), 4 buckets per test
  (func (export "occupied") (param $from i32) (param $to i32)
    (local $b i32) (local $n i32) (local $first i32) (local $last i32) (local $c i32)
    (local.set $first (i32.const -1))
    (local.set $last (i32.const -1))
    (local.set $b (local.get $from))
    (block $done (loop $l
      (br_if $done (i32.gt_s (local.get $b) (local.get $to)))
      (if (i32.and (i32.eqz (i32.and (local.get $b) (i32.const 3))) (i32.le_s (i32.add (local.get $b) (i32.const 3)) (local.get $to)))
        (then
          (if (i32.eqz (v128.any_true (v128.load (i32.shl (local.get $b) (i32.const 2))))) (then
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br $l)))))
      (local.set $c (i32.load (i32.shl (local.get $b) (i32.const 2))))
      (if (local.get $c) (then
        (local.set $n (i32.add (local.get $n) (local.get $c)))
        (if (i32.lt_s (local.get $first) (i32.const 0)) (then (local.set $first (local.get $b))))
        (local.set $last (local.get $b))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $l)))
    (i32.store (i32.const 4194312) (local.get $n))
    (i32.store (i32.const 4194316) (local.get $first))
    (i32.store (i32.const 4194320) (local.get $last)))
)
