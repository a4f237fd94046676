;; Sums of the local background surface D over boxes (local-background.ts, P6.4/P6.5 tile offsets):
;; D(x, y) = a[x] + ty * (b[x] - a[x]) with a, b the interpolants of the cell rows lo[y], hi[y]
;; (float64, the same operations as the JS), summed row by row, left to right, from 0 for each box.
;; Four boxes of the same size are summed in one pass: four independent addition chains, each in
;; its own box's pixel order, so each sum is the JS sum of that box and the adder is kept busy
;; (one chain waits on the latency of every addition).
;;
;; subtract_band subtracts D from a band of canvas rows of one colour, each pixel as the JS does it
;; (data[i] - (a[x] + ty * (b[x] - a[x])) in float64, rounded to float32 on the store).
;;
;; Memory (bytes; bg-surface.ts lays it out):
;;   0     f64 results: the four sums
;;   64    lo[y], hi[y] (i32, height each), t[y] (f64, height)
;;   rows  the cell-row interpolants (f64, width each, cell row r at rows + 8 * r * width)
;;   band  (subtract_band) the canvas rows, float32, width each
(module
  (memory (export "memory") 1)

  (func (export "sum4") (param $width i32) (param $height i32) (param $rows i32) (param $w i32) (param $h i32)
        (param $x0 i32) (param $y0 i32) (param $x1 i32) (param $y1 i32) (param $x2 i32) (param $y2 i32) (param $x3 i32) (param $y3 i32)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
    (local $k i32) (local $x i32) (local $rowBytes i32) (local $hiAt i32) (local $tAt i32)
    (local $a0 i32) (local $b0 i32) (local $t0 f64) (local $a1 i32) (local $b1 i32) (local $t1 f64)
    (local $a2 i32) (local $b2 i32) (local $t2 f64) (local $a3 i32) (local $b3 i32) (local $t3 f64)
    (local $p f64) (local $q f64)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 3)))
    (local.set $hiAt (i32.add (i32.const 64) (i32.shl (local.get $height) (i32.const 2))))
    (local.set $tAt (i32.add (local.get $hiAt) (i32.shl (local.get $height) (i32.const 2))))
    (block $rows_done (loop $rowl
      (br_if $rows_done (i32.ge_u (local.get $k) (local.get $h)))
      ;; per box: its row's interpolant pointers (at its x0) and ty
      (local.set $a0 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load offset=64 (i32.shl (i32.add (local.get $y0) (local.get $k)) (i32.const 2))) (local.get $rowBytes))) (i32.shl (local.get $x0) (i32.const 3))))
      (local.set $b0 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load (i32.add (local.get $hiAt) (i32.shl (i32.add (local.get $y0) (local.get $k)) (i32.const 2)))) (local.get $rowBytes))) (i32.shl (local.get $x0) (i32.const 3))))
      (local.set $t0 (f64.load (i32.add (local.get $tAt) (i32.shl (i32.add (local.get $y0) (local.get $k)) (i32.const 3)))))
      (local.set $a1 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load offset=64 (i32.shl (i32.add (local.get $y1) (local.get $k)) (i32.const 2))) (local.get $rowBytes))) (i32.shl (local.get $x1) (i32.const 3))))
      (local.set $b1 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load (i32.add (local.get $hiAt) (i32.shl (i32.add (local.get $y1) (local.get $k)) (i32.const 2)))) (local.get $rowBytes))) (i32.shl (local.get $x1) (i32.const 3))))
      (local.set $t1 (f64.load (i32.add (local.get $tAt) (i32.shl (i32.add (local.get $y1) (local.get $k)) (i32.const 3)))))
      (local.set $a2 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load offset=64 (i32.shl (i32.add (local.get $y2) (local.get $k)) (i32.const 2))) (local.get $rowBytes))) (i32.shl (local.get $x2) (i32.const 3))))
      (local.set $b2 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load (i32.add (local.get $hiAt) (i32.shl (i32.add (local.get $y2) (local.get $k)) (i32.const 2)))) (local.get $rowBytes))) (i32.shl (local.get $x2) (i32.const 3))))
      (local.set $t2 (f64.load (i32.add (local.get $tAt) (i32.shl (i32.add (local.get $y2) (local.get $k)) (i32.const 3)))))
      (local.set $a3 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load offset=64 (i32.shl (i32.add (local.get $y3) (local.get $k)) (i32.const 2))) (local.get $rowBytes))) (i32.shl (local.get $x3) (i32.const 3))))
      (local.set $b3 (i32.add (i32.add (local.get $rows) (i32.mul (i32.load (i32.add (local.get $hiAt) (i32.shl (i32.add (local.get $y3) (local.get $k)) (i32.const 2)))) (local.get $rowBytes))) (i32.shl (local.get $x3) (i32.const 3))))
      (local.set $t3 (f64.load (i32.add (local.get $tAt) (i32.shl (i32.add (local.get $y3) (local.get $k)) (i32.const 3)))))
      (local.set $x (i32.const 0))
      (block $cols_done (loop $coll
        (br_if $cols_done (i32.ge_u (local.get $x) (i32.shl (local.get $w) (i32.const 3))))
        (local.set $p (f64.load (i32.add (local.get $a0) (local.get $x))))
        (local.set $s0 (f64.add (local.get $s0) (f64.add (local.get $p) (f64.mul (local.get $t0) (f64.sub (f64.load (i32.add (local.get $b0) (local.get $x))) (local.get $p))))))
        (local.set $q (f64.load (i32.add (local.get $a1) (local.get $x))))
        (local.set $s1 (f64.add (local.get $s1) (f64.add (local.get $q) (f64.mul (local.get $t1) (f64.sub (f64.load (i32.add (local.get $b1) (local.get $x))) (local.get $q))))))
        (local.set $p (f64.load (i32.add (local.get $a2) (local.get $x))))
        (local.set $s2 (f64.add (local.get $s2) (f64.add (local.get $p) (f64.mul (local.get $t2) (f64.sub (f64.load (i32.add (local.get $b2) (local.get $x))) (local.get $p))))))
        (local.set $q (f64.load (i32.add (local.get $a3) (local.get $x))))
        (local.set $s3 (f64.add (local.get $s3) (f64.add (local.get $q) (f64.mul (local.get $t3) (f64.sub (f64.load (i32.add (local.get $b3) (local.get $x))) (local.get $q))))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (br $coll)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $rowl)))
    (f64.store (i32.const 0) (local.get $s0))
    (f64.store (i32.const 8) (local.get $s1))
    (f64.store (i32.const 16) (local.get $s2))
    (f64.store (i32.const 24) (local.get $s3)))

  ;; D subtracted from the n canvas rows y0.. held at $band (f32, width each): a row of parity p
  ;; (y & 1) has its colour's pixels at x0p, x0p + sp, ... (x0p < 0: none). Rows with sp = 1 go two
  ;; pixels per vector; lanes never mix, so each value is the scalar one.
  (func (export "subtract_band") (param $band i32) (param $width i32) (param $height i32) (param $rows i32) (param $y0 i32) (param $n i32)
        (param $x0e i32) (param $se i32) (param $x0o i32) (param $so i32)
    (local $k i32) (local $y i32) (local $x0 i32) (local $step i32) (local $rowBytes i32) (local $hiAt i32) (local $tAt i32)
    (local $a i32) (local $b i32) (local $ty f64) (local $tyv v128) (local $row i32) (local $x i32) (local $end2 i32)
    (local $av v128) (local $p f64)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 3)))
    (local.set $hiAt (i32.add (i32.const 64) (i32.shl (local.get $height) (i32.const 2))))
    (local.set $tAt (i32.add (local.get $hiAt) (i32.shl (local.get $height) (i32.const 2))))
    (local.set $end2 (i32.and (local.get $width) (i32.const -2)))
    (block $rows_done (loop $rowl
      (br_if $rows_done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $y (i32.add (local.get $y0) (local.get $k)))
      (local.set $x0 (select (local.get $x0o) (local.get $x0e) (i32.and (local.get $y) (i32.const 1))))
      (local.set $step (select (local.get $so) (local.get $se) (i32.and (local.get $y) (i32.const 1))))
      (local.set $row (i32.add (local.get $band) (i32.shl (i32.mul (local.get $k) (local.get $width)) (i32.const 2))))
      (if (i32.ge_s (local.get $x0) (i32.const 0))
        (then
          (local.set $a (i32.add (local.get $rows) (i32.mul (i32.load offset=64 (i32.shl (local.get $y) (i32.const 2))) (local.get $rowBytes))))
          (local.set $b (i32.add (local.get $rows) (i32.mul (i32.load (i32.add (local.get $hiAt) (i32.shl (local.get $y) (i32.const 2)))) (local.get $rowBytes))))
          (local.set $ty (f64.load (i32.add (local.get $tAt) (i32.shl (local.get $y) (i32.const 3)))))
          (local.set $x (local.get $x0))
          (if (i32.and (i32.eq (local.get $step) (i32.const 1)) (i32.eqz (local.get $x0)))
            (then
              (local.set $tyv (f64x2.splat (local.get $ty)))
              (block $pairs_done (loop $pairs
                (br_if $pairs_done (i32.ge_u (local.get $x) (local.get $end2)))
                (local.set $av (v128.load (i32.add (local.get $a) (i32.shl (local.get $x) (i32.const 3)))))
                (v128.store64_lane 0 (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 2)))
                  (f32x4.demote_f64x2_zero
                    (f64x2.sub
                      (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 2)))))
                      (f64x2.add (local.get $av)
                        (f64x2.mul (local.get $tyv) (f64x2.sub (v128.load (i32.add (local.get $b) (i32.shl (local.get $x) (i32.const 3)))) (local.get $av)))))))
                (local.set $x (i32.add (local.get $x) (i32.const 2)))
                (br $pairs)))))
          ;; what is left: the last pixel of an odd width, or every pixel of a strided row
          (block $one_done (loop $one
            (br_if $one_done (i32.ge_u (local.get $x) (local.get $width)))
            (local.set $p (f64.load (i32.add (local.get $a) (i32.shl (local.get $x) (i32.const 3)))))
            (f32.store (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 2)))
              (f32.demote_f64
                (f64.sub
                  (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 2)))))
                  (f64.add (local.get $p)
                    (f64.mul (local.get $ty) (f64.sub (f64.load (i32.add (local.get $b) (i32.shl (local.get $x) (i32.const 3)))) (local.get $p)))))))
            (local.set $x (i32.add (local.get $x) (local.get $step)))
            (br $one)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $rowl)))
  )
)
