;; 3x3 median of a plane band, 4 columns per step (rank-filters.ts median3x3BySortedColumns):
;; each 3-pixel column of a row is sorted once (low, mid, high); the window's median is the median
;; of the largest low, the middle mid and the smallest high (Paeth). pmin/pmax (one instruction
;; each; min/max with their NaN and signed-zero rules cost ~4x) select exact values; a window with
;; a NaN or infinite pixel gives NaN, so only finite values are compared, and every result gets
;; + 0, which makes zeros +0 as the JS arithmetic path does. The caller uses this only for planes
;; on which the JS takes that path (magnitude span below 2^28, reported here).
;;
;; Memory (bytes; the JS side, bg-median3x3.ts, lays it out):
;;   0   f32 smallest finite non-zero |v| seen (running, caller initializes +inf)
;;   4   f32 largest finite |v| seen (running, caller initializes 0)
;;   cols: lows, mids, highs (f32) and ok masks (i32), each w + 8 entries; entry x + 1 is column x,
;;         entries 0 and w + 1 replicate the edge columns
;;   band: n + 2 rows of w f32 (row 0 above the first output row, row n + 1 below the last), then
;;         16 zero bytes (the last vector of a row reads past its end)
;;   out:  n rows of w f32 plus 16 bytes (the last vector of a row writes past its end; rows are
;;         written in order, so the next row overwrites that)
(module
  (memory (export "memory") 1)

  (func (export "median_band") (param $w i32) (param $n i32) (param $band i32) (param $cols i32) (param $out i32)
    (local $lows i32) (local $mids i32) (local $highs i32) (local $oks i32)
    (local $r i32) (local $x i32) (local $row i32) (local $o i32) (local $stride i32) (local $k i32)
    (local $a v128) (local $b v128) (local $c v128) (local $ab v128) (local $AB v128) (local $m v128)
    (local $okv v128) (local $inf v128) (local $small v128) (local $large v128) (local $res v128)
    (local.set $stride (i32.shl (i32.add (local.get $w) (i32.const 8)) (i32.const 2)))
    (local.set $lows (local.get $cols))
    (local.set $mids (i32.add (local.get $lows) (local.get $stride)))
    (local.set $highs (i32.add (local.get $mids) (local.get $stride)))
    (local.set $oks (i32.add (local.get $highs) (local.get $stride)))
    (local.set $inf (f32x4.splat (f32.const inf)))
    (local.set $small (f32x4.splat (f32.load (i32.const 0))))
    (local.set $large (f32x4.splat (f32.load (i32.const 4))))
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $row (i32.add (local.get $band) (i32.shl (i32.mul (local.get $r) (local.get $w)) (i32.const 2))))
      ;; sorted columns
      (local.set $x (i32.const 0))
      (block $cols_done (loop $colsl
        (br_if $cols_done (i32.ge_u (local.get $x) (local.get $w)))
        (local.set $k (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $a (v128.load (local.get $k)))
        (local.set $b (v128.load (i32.add (local.get $k) (i32.shl (local.get $w) (i32.const 2)))))
        (local.set $c (v128.load (i32.add (local.get $k) (i32.shl (local.get $w) (i32.const 3)))))
        ;; running magnitude range of the centre row (every plane row is a centre once)
        (local.set $m (f32x4.abs (local.get $b)))
        (local.set $okv (v128.and (f32x4.lt (local.get $m) (local.get $inf)) (f32x4.gt (local.get $m) (v128.const f32x4 0 0 0 0))))
        (local.set $small (f32x4.pmin (local.get $small) (v128.bitselect (local.get $m) (local.get $inf) (local.get $okv))))
        (local.set $large (f32x4.pmax (local.get $large) (v128.bitselect (local.get $m) (v128.const f32x4 0 0 0 0) (local.get $okv))))
        (local.set $k (i32.shl (i32.add (local.get $x) (i32.const 1)) (i32.const 2)))
        (v128.store (i32.add (local.get $oks) (local.get $k))
          (v128.and (f32x4.lt (f32x4.abs (local.get $a)) (local.get $inf))
            (v128.and (f32x4.lt (f32x4.abs (local.get $b)) (local.get $inf)) (f32x4.lt (f32x4.abs (local.get $c)) (local.get $inf)))))
        (local.set $ab (f32x4.pmin (local.get $a) (local.get $b)))
        (local.set $AB (f32x4.pmax (local.get $a) (local.get $b)))
        (v128.store (i32.add (local.get $lows) (local.get $k)) (f32x4.pmin (local.get $ab) (local.get $c)))
        (v128.store (i32.add (local.get $mids) (local.get $k)) (f32x4.pmax (local.get $ab) (f32x4.pmin (local.get $AB) (local.get $c))))
        (v128.store (i32.add (local.get $highs) (local.get $k)) (f32x4.pmax (local.get $AB) (local.get $c)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $colsl)))
      ;; edge columns replicate
      (local.set $k (i32.shl (local.get $w) (i32.const 2)))
      (f32.store (local.get $lows) (f32.load offset=4 (local.get $lows)))
      (f32.store (local.get $mids) (f32.load offset=4 (local.get $mids)))
      (f32.store (local.get $highs) (f32.load offset=4 (local.get $highs)))
      (i32.store (local.get $oks) (i32.load offset=4 (local.get $oks)))
      (f32.store offset=4 (i32.add (local.get $lows) (local.get $k)) (f32.load (i32.add (local.get $lows) (local.get $k))))
      (f32.store offset=4 (i32.add (local.get $mids) (local.get $k)) (f32.load (i32.add (local.get $mids) (local.get $k))))
      (f32.store offset=4 (i32.add (local.get $highs) (local.get $k)) (f32.load (i32.add (local.get $highs) (local.get $k))))
      (i32.store offset=4 (i32.add (local.get $oks) (local.get $k)) (i32.load (i32.add (local.get $oks) (local.get $k))))
      ;; windows x - 1 .. x + 1 are entries x .. x + 2
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $w)) (i32.const 2))))
      (local.set $x (i32.const 0))
      (block $win_done (loop $win
        (br_if $win_done (i32.ge_u (local.get $x) (local.get $w)))
        (local.set $k (i32.shl (local.get $x) (i32.const 2)))
        (local.set $k (i32.add (local.get $lows) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $a (f32x4.pmax (f32x4.pmax (v128.load (local.get $k)) (v128.load offset=4 (local.get $k))) (v128.load offset=8 (local.get $k))))
        (local.set $k (i32.add (local.get $highs) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $c (f32x4.pmin (f32x4.pmin (v128.load (local.get $k)) (v128.load offset=4 (local.get $k))) (v128.load offset=8 (local.get $k))))
        ;; median of three = max(min(p, q), min(max(p, q), r)), written out (a call is not inlined)
        (local.set $k (i32.add (local.get $mids) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $ab (v128.load (local.get $k)))
        (local.set $AB (v128.load offset=4 (local.get $k)))
        (local.set $b (f32x4.pmax (f32x4.pmin (local.get $ab) (local.get $AB))
                                 (f32x4.pmin (f32x4.pmax (local.get $ab) (local.get $AB)) (v128.load offset=8 (local.get $k)))))
        (local.set $res (f32x4.pmax (f32x4.pmin (local.get $a) (local.get $b))
                                   (f32x4.pmin (f32x4.pmax (local.get $a) (local.get $b)) (local.get $c))))
        (local.set $k (i32.shl (local.get $x) (i32.const 2)))
        (local.set $okv (v128.and (v128.load (i32.add (local.get $oks) (local.get $k)))
                          (v128.and (v128.load offset=4 (i32.add (local.get $oks) (local.get $k))) (v128.load offset=8 (i32.add (local.get $oks) (local.get $k))))))
        ;; x + 0 turns -0 into +0 and changes nothing else: the arithmetic path's zeros
        (local.set $res (v128.bitselect (f32x4.add (local.get $res) (v128.const f32x4 0 0 0 0)) (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get $okv)))
        (v128.store (i32.add (local.get $o) (local.get $k)) (local.get $res))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $win)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    ;; fold the running values back into memory
    (local.set $small (f32x4.pmin (local.get $small) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $small) (local.get $small))))
    (local.set $small (f32x4.pmin (local.get $small) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $small) (local.get $small))))
    (f32.store (i32.const 0) (f32x4.extract_lane 0 (local.get $small)))
    (local.set $large (f32x4.pmax (local.get $large) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $large) (local.get $large))))
    (local.set $large (f32x4.pmax (local.get $large) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $large) (local.get $large))))
    (f32.store (i32.const 4) (f32x4.extract_lane 0 (local.get $large)))
  )
)
