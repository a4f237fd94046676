;; The registration high-pass plane (METHOD.md P4.6, high-pass.ts nccPlane) row by row: the 3x3
;; median of a row, the horizontal box sums of a median row, and the vertical step that turns the
;; running column sums into an output row. Each repeats the JS arithmetic of high-pass.ts (and so
;; of filters.ts boxFilter) value for value.
;;
;; identity_row adds one row to the NCC sums of the reference against this frame at identity.
;;
;; median_row: one row of the 3x3 median, four pixels per step (SIMD).
;; Same network as median3x3BySortedColumns (rank-filters.ts): each 3-pixel column is sorted once
;; (lows, mids, highs), and the window's median is the median of the largest low, the middle mid
;; and the smallest high. f32x4.min/max select one of their inputs, so every output is one of the
;; nine window values, bit for bit. A window holding a NaN or an infinity gives NaN.
;;
;; median_row(up, mid, down, w, cols, out), all byte offsets into memory:
;;   up, mid, down  the three source rows (w floats each, readable up to w + 4 floats)
;;   cols           scratch: 4 arrays (lows, mids, highs, finite masks) of w + 8 floats each;
;;                  element x + 1 holds column x, elements 0 and w + 1 the replicated edge columns
;;   out            w floats written (up to w + 4 touched)
(module
  (memory (export "memory") 1)

  ;; element 0 := element 1, element w + 1 := element w (edge replication of a column array)
  (func $edges (param $arr i32) (param $w i32)
    (i32.store (local.get $arr) (i32.load offset=4 (local.get $arr)))
    (i32.store offset=4
      (i32.add (local.get $arr) (i32.shl (local.get $w) (i32.const 2)))
      (i32.load (i32.add (local.get $arr) (i32.shl (local.get $w) (i32.const 2))))))

  (func (export "median_row")
    (param $up i32) (param $mid i32) (param $down i32) (param $w i32) (param $cols i32) (param $out i32)
    (local $x i32) (local $o i32) (local $stride i32)
    (local $lows i32) (local $mids i32) (local $highs i32) (local $oks i32)
    (local $a v128) (local $b v128) (local $c v128)
    (local $lo v128) (local $hi v128) (local $m v128) (local $ok v128)
    (local $maxLow v128) (local $minHigh v128) (local $midMid v128)
    (local.set $stride (i32.shl (i32.add (local.get $w) (i32.const 8)) (i32.const 2)))
    (local.set $lows (local.get $cols))
    (local.set $mids (i32.add (local.get $lows) (local.get $stride)))
    (local.set $highs (i32.add (local.get $mids) (local.get $stride)))
    (local.set $oks (i32.add (local.get $highs) (local.get $stride)))

    ;; sorted columns
    (local.set $x (i32.const 0))
    (block $colsDone
      (loop $colsLoop
        (br_if $colsDone (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $o (i32.shl (local.get $x) (i32.const 2)))
        (local.set $a (v128.load (i32.add (local.get $up) (local.get $o))))
        (local.set $b (v128.load (i32.add (local.get $mid) (local.get $o))))
        (local.set $c (v128.load (i32.add (local.get $down) (local.get $o))))
        ;; finite iff v - v == 0
        (local.set $ok
          (v128.and
            (v128.and
              (f32x4.eq (f32x4.sub (local.get $a) (local.get $a)) (v128.const f32x4 0 0 0 0))
              (f32x4.eq (f32x4.sub (local.get $b) (local.get $b)) (v128.const f32x4 0 0 0 0)))
            (f32x4.eq (f32x4.sub (local.get $c) (local.get $c)) (v128.const f32x4 0 0 0 0))))
        (local.set $lo (f32x4.min (local.get $a) (local.get $b)))
        (local.set $hi (f32x4.max (local.get $a) (local.get $b)))
        (local.set $m (f32x4.min (local.get $hi) (local.get $c)))
        (local.set $hi (f32x4.max (local.get $hi) (local.get $c)))
        (v128.store offset=4 (i32.add (local.get $lows) (local.get $o)) (f32x4.min (local.get $lo) (local.get $m)))
        (v128.store offset=4 (i32.add (local.get $mids) (local.get $o)) (f32x4.max (local.get $lo) (local.get $m)))
        (v128.store offset=4 (i32.add (local.get $highs) (local.get $o)) (local.get $hi))
        (v128.store offset=4 (i32.add (local.get $oks) (local.get $o)) (local.get $ok))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $colsLoop)))
    (call $edges (local.get $lows) (local.get $w))
    (call $edges (local.get $mids) (local.get $w))
    (call $edges (local.get $highs) (local.get $w))
    (call $edges (local.get $oks) (local.get $w))

    ;; window medians: columns x - 1, x, x + 1 are elements x, x + 1, x + 2
    (local.set $x (i32.const 0))
    (block $outDone
      (loop $outLoop
        (br_if $outDone (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $o (i32.shl (local.get $x) (i32.const 2)))
        (local.set $maxLow
          (f32x4.max
            (f32x4.max
              (v128.load (i32.add (local.get $lows) (local.get $o)))
              (v128.load offset=4 (i32.add (local.get $lows) (local.get $o))))
            (v128.load offset=8 (i32.add (local.get $lows) (local.get $o)))))
        (local.set $minHigh
          (f32x4.min
            (f32x4.min
              (v128.load (i32.add (local.get $highs) (local.get $o)))
              (v128.load offset=4 (i32.add (local.get $highs) (local.get $o))))
            (v128.load offset=8 (i32.add (local.get $highs) (local.get $o)))))
        ;; median of three = max(min(p, q), min(max(p, q), r)), for the mids and then the final
        (local.set $a (v128.load (i32.add (local.get $mids) (local.get $o))))
        (local.set $b (v128.load offset=4 (i32.add (local.get $mids) (local.get $o))))
        (local.set $c (v128.load offset=8 (i32.add (local.get $mids) (local.get $o))))
        (local.set $midMid
          (f32x4.max
            (f32x4.min (local.get $a) (local.get $b))
            (f32x4.min (f32x4.max (local.get $a) (local.get $b)) (local.get $c))))
        (local.set $m
          (f32x4.max
            (f32x4.min (local.get $maxLow) (local.get $midMid))
            (f32x4.min (f32x4.max (local.get $maxLow) (local.get $midMid)) (local.get $minHigh))))
        (local.set $ok
          (v128.and
            (v128.and
              (v128.load (i32.add (local.get $oks) (local.get $o)))
              (v128.load offset=4 (i32.add (local.get $oks) (local.get $o))))
            (v128.load offset=8 (i32.add (local.get $oks) (local.get $o)))))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (v128.bitselect (local.get $m) (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get $ok)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $outLoop))))

  ;; box_sums(med, xIndex, w, k, sums): the horizontal running sums of one median row, float64,
  ;; started at the reflected left edge and slid by (entering - leaving) as boxFilter does:
  ;;   s = med[xIndex[0]] + .. + med[xIndex[k - 1]]; sums[x] = s; s += med[xIndex[x + k]] - med[xIndex[x]]
  ;; med: float32 row; xIndex: int32 table of w + k - 1 reflected columns; sums: float64 row
  (func (export "box_sums") (param $med i32) (param $xIndex i32) (param $w i32) (param $k i32) (param $sums i32)
    (local $s f64) (local $i i32) (local $x i32)
    (block $initDone
      (loop $init
        (br_if $initDone (i32.ge_s (local.get $i) (local.get $k)))
        (local.set $s
          (f64.add (local.get $s)
            (f64.promote_f32 (f32.load (i32.add (local.get $med) (i32.shl (i32.load (i32.add (local.get $xIndex) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $init)))
    (block $slideDone
      (loop $slide
        (br_if $slideDone (i32.ge_s (local.get $x) (i32.sub (local.get $w) (i32.const 1))))
        (f64.store (i32.add (local.get $sums) (i32.shl (local.get $x) (i32.const 3))) (local.get $s))
        (local.set $s
          (f64.add (local.get $s)
            (f64.sub
              (f64.promote_f32 (f32.load (i32.add (local.get $med)
                (i32.shl (i32.load (i32.add (local.get $xIndex) (i32.shl (i32.add (local.get $x) (local.get $k)) (i32.const 2)))) (i32.const 2)))))
              (f64.promote_f32 (f32.load (i32.add (local.get $med)
                (i32.shl (i32.load (i32.add (local.get $xIndex) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 2))))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $slide)))
    (f64.store (i32.add (local.get $sums) (i32.shl (i32.sub (local.get $w) (i32.const 1)) (i32.const 3))) (local.get $s)))

  ;; column_step(med, colSum, count, out, enter, leave, n): two columns per step, over n columns
  ;; (n even; the arrays hold n values):
  ;;   out (if non-zero): out[x] = float32(med[x] - float32(colSum[x] / count))  (boxResidual's output)
  ;;   then colSum[x] += sums_enter[x] - sums_leave[x]                           (the vertical slide)
  (func (export "column_step")
    (param $med i32) (param $colSum i32) (param $count f64) (param $out i32) (param $enter i32) (param $leave i32) (param $n i32)
    (local $x i32) (local $cs v128) (local $q v128) (local $cnt v128)
    (local.set $cnt (f64x2.splat (local.get $count)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_s (local.get $x) (local.get $n)))
        (local.set $cs (v128.load (i32.add (local.get $colSum) (i32.shl (local.get $x) (i32.const 3)))))
        (if (local.get $out)
          (then
            (local.set $q (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (local.get $cs) (local.get $cnt)))))
            (v128.store64_lane 0
              (i32.add (local.get $out) (i32.shl (local.get $x) (i32.const 2)))
              (f32x4.demote_f64x2_zero
                (f64x2.sub
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $med) (i32.shl (local.get $x) (i32.const 2)))))
                  (local.get $q))))))
        (v128.store (i32.add (local.get $colSum) (i32.shl (local.get $x) (i32.const 3)))
          (f64x2.add (local.get $cs)
            (f64x2.sub
              (v128.load (i32.add (local.get $enter) (i32.shl (local.get $x) (i32.const 3))))
              (v128.load (i32.add (local.get $leave) (i32.shl (local.get $x) (i32.const 3)))))))
        (local.set $x (i32.add (local.get $x) (i32.const 2)))
        (br $step))))

  ;; identity_row(refA, movA, refB, movB, n, sums): one row of two NCC sums at identity (ncc.ts
  ;; nccShifted), lane 0 the pair (refA, movA), lane 1 (refB, movB), float32 rows of n pixels;
  ;; sums: six f64x2 (n, sa, sb, saa, sbb, sab). A pixel NaN in either row of a lane adds +0 there,
  ;; which leaves the sum unchanged (sums start at +0 and never become -0).
  (func (export "identity_row") (param $refA i32) (param $movA i32) (param $refB i32) (param $movB i32) (param $n i32) (param $sums i32)
    (local $x i32) (local $o i32) (local $u v128) (local $v v128) (local $mask v128)
    (local $cnt v128) (local $sa v128) (local $sb v128) (local $saa v128) (local $sbb v128) (local $sab v128)
    (local.set $cnt (v128.load (local.get $sums)))
    (local.set $sa (v128.load offset=16 (local.get $sums)))
    (local.set $sb (v128.load offset=32 (local.get $sums)))
    (local.set $saa (v128.load offset=48 (local.get $sums)))
    (local.set $sbb (v128.load offset=64 (local.get $sums)))
    (local.set $sab (v128.load offset=80 (local.get $sums)))
    (block $done
      (loop $pixel
        (br_if $done (i32.ge_s (local.get $x) (local.get $n)))
        (local.set $o (i32.shl (local.get $x) (i32.const 2)))
        (local.set $u
          (f64x2.replace_lane 1
            (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $refA) (local.get $o)))))
            (f64.promote_f32 (f32.load (i32.add (local.get $refB) (local.get $o))))))
        (local.set $v
          (f64x2.replace_lane 1
            (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $movA) (local.get $o)))))
            (f64.promote_f32 (f32.load (i32.add (local.get $movB) (local.get $o))))))
        (local.set $mask (v128.and (f64x2.eq (local.get $u) (local.get $u)) (f64x2.eq (local.get $v) (local.get $v))))
        (local.set $u (v128.and (local.get $u) (local.get $mask)))
        (local.set $v (v128.and (local.get $v) (local.get $mask)))
        (local.set $cnt (f64x2.add (local.get $cnt) (v128.and (v128.const f64x2 1 1) (local.get $mask))))
        (local.set $sa (f64x2.add (local.get $sa) (local.get $u)))
        (local.set $sb (f64x2.add (local.get $sb) (local.get $v)))
        (local.set $saa (f64x2.add (local.get $saa) (f64x2.mul (local.get $u) (local.get $u))))
        (local.set $sbb (f64x2.add (local.get $sbb) (f64x2.mul (local.get $v) (local.get $v))))
        (local.set $sab (f64x2.add (local.get $sab) (f64x2.mul (local.get $u) (local.get $v))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $pixel)))
    (v128.store (local.get $sums) (local.get $cnt))
    (v128.store offset=16 (local.get $sums) (local.get $sa))
    (v128.store offset=32 (local.get $sums) (local.get $sb))
    (v128.store offset=48 (local.get $sums) (local.get $saa))
    (v128.store offset=64 (local.get $sums) (local.get $sbb))
    (v128.store offset=80 (local.get $sums) (local.get $sab))))
