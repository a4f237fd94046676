;; P9 tile reconstruction (METHOD.md P9) per pixel in WebAssembly SIMD: R_t (weighted mean or
;; weighted sigma clip), the equal-weight mean tile, the coverage and the synthetic tiles S_k of a
;; band of tile rows, bit-identical to TileReconstructor.addRows + WeightedSigmaClipper.clip
;; (tile-reconstruction.ts, sigma-clip.ts), with the same statistics. Compiled by
;; build/scripts/gen-wasm.js into tile-clip.wasm.ts; driven by tile-clip-wasm.ts.
;;
;; Bit-identity: two pixels per f64x2 vector (pixels x and x + 1 of the row, x even; float32
;; samples promoted to float64, exactly). Each lane performs the float64 operations of the JS code
;; for its pixel, in its order. The JS code compacts the valid samples (finite v, weight > 0) and
;; sums over them in frame order; here every frame is visited and an invalid sample enters every
;; sum as +0 (value and weight masked to +0, so (w*d)*d and w*v are +-0 too). The sums start at +0
;; and a round-to-nearest sum is -0 only when both terms are -0, so a sum is never -0 and adding
;; +-0 leaves it unchanged: the masked sums are the JS sums bit for bit. A dropped sample gets
;; weight +0 in the same way. Where JS returns Number.NaN (no sample) the lane gets the canonical
;; NaN constant, never the result of 0/0 (whose sign the hardware chooses).
;;
;; The clip keeps per-lane state: `active` lanes go on iterating while a lane that stopped (fewer
;; than 3 samples, sd = 0, nothing dropped, the min_fraction fallback) keeps its result. The loop
;; ends when no lane is active or after max_iters iterations. Counts are exact integers in i64
;; lanes (a count goes up by subtracting an all-ones mask); min_fraction's floor is compared as one.
;;
;; Speed notes: the stack is read in its own layout (frame f's row at in + f*fs), no transpose;
;; the first pass keeps each frame's promoted, masked sample in a record so that the clip passes
;; and the clusters read 64-byte records in sequence. Running two pixel pairs' clips side by side
;; (to overlap their dependency chains) measured no faster on real tiles and was dropped.
;;
;; Memory (addresses chosen by tile-clip-wasm.ts, all 16-byte aligned):
;;   stats    i64 samples in, samples kept, clip-fallback pixels (R only; accumulated over rows)
;;   rec      one 64-byte record per frame: v (f64x2, +0 where not finite), finite mask, weight of
;;            R (masked, +0 once dropped), 16 bytes unused
;;   crec     n records of the same layout (v at 0, weight at 32) for a cluster's members
;;   wR       the R weights of this row: f64x2 per frame (lane 0 = even x, lane 1 = odd x)
;;   ktab     one 16-byte record per cluster: i32 members (list of member record offsets f*64),
;;            i32 count, i32 weights (f64x2 per member), i32 output address of the block
;;   in       frame f's band at in + f*fs, rows of w float32 (the lane after an odd row's end is
;;            read and masked off, so 4 readable bytes must follow the last frame's band)
(module
  (memory (export "memory") 1)

  ;; clip parameters of the current call, and what $clip hands back besides its result
  (global $lo (mut f64) (f64.const 0))
  (global $hi (mut f64) (f64.const 0))
  (global $maxIters (mut i32) (i32.const 0))
  (global $minFrac (mut f64) (f64.const 0))
  (global $kept (mut v128) (v128.const i64x2 0 0))
  (global $fallback (mut v128) (v128.const i64x2 0 0))

  ;; WeightedSigmaClipper.clip over n records at $p (v at +0, masked weight at +32, 64 bytes
  ;; apart), given the first pass's sums v1 = sum w, v2 = sum w^2, swv = sum w*v and the number of
  ;; valid samples cnt (i64 lanes, as every count here: a count goes up by subtracting a mask).
  ;; Returns the result per lane; $kept (i64) and $fallback (mask) per lane. Drops samples by
  ;; zeroing their weights. Needs n >= 1 when a lane has cnt > 2.
  (func $clip (param $p0 i32) (param $n i32) (param $v1 v128) (param $v2 v128) (param $swv v128) (param $cnt v128) (result v128)
    (local $mean0 v128) (local $res v128) (local $kept v128) (local $fb v128) (local $active v128) (local $minKeep v128)
    (local $mu v128) (local $ss v128) (local $d v128) (local $denom v128) (local $sd v128) (local $stop v128)
    (local $lower v128) (local $upper v128) (local $k1 v128) (local $k2 v128) (local $kwv v128) (local $dropped v128)
    (local $v v128) (local $wm v128) (local $drop v128) (local $knew v128)
    (local $iter i32) (local $p i32) (local $end i32)
    (local.set $end (i32.add (local.get $p0) (i32.shl (local.get $n) (i32.const 6))))
    ;; n <= 2, and the min_fraction fallback: the weighted mean of all valid samples, whose sums
    ;; are the first pass's (weightedMean adds the same terms in the same order)
    (local.set $mean0 (f64x2.div (local.get $swv) (local.get $v1)))
    (local.set $res (local.get $mean0))
    (local.set $kept (local.get $cnt))
    (local.set $fb (v128.const i64x2 0 0))
    (local.set $active (i64x2.gt_s (local.get $cnt) (v128.const i64x2 2 2)))
    ;; Math.max(1, Math.ceil(min_fraction * n)): integral, compared with the kept count as an integer
    (local.set $minKeep (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero
      (f64x2.max (v128.const f64x2 1 1) (f64x2.ceil (f64x2.mul (f64x2.splat (global.get $minFrac)) (call $toF64 (local.get $cnt))))))))
    (block $done
      (loop $iterate
        (br_if $done (i32.ge_s (local.get $iter) (global.get $maxIters)))
        (br_if $done (i32.eqz (v128.any_true (local.get $active))))
        (local.set $mu (f64x2.div (local.get $swv) (local.get $v1)))
        (local.set $ss (v128.const i64x2 0 0))
        (local.set $p (local.get $p0))
        (loop $variance
          (local.set $d (f64x2.sub (v128.load (local.get $p)) (local.get $mu)))
          (local.set $ss (f64x2.add (local.get $ss) (f64x2.mul (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $d)) (local.get $d))))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br_if $variance (i32.lt_u (local.get $p) (local.get $end))))
        (local.set $denom (f64x2.sub (local.get $v1) (f64x2.div (local.get $v2) (local.get $v1))))
        ;; denom > 0 ? sqrt(ss / denom) : +0
        (local.set $sd (v128.and (f64x2.sqrt (f64x2.div (local.get $ss) (local.get $denom)))
                                 (f64x2.gt (local.get $denom) (v128.const f64x2 0 0))))
        (local.set $stop (v128.and (local.get $active) (f64x2.eq (local.get $sd) (v128.const f64x2 0 0))))
        (local.set $res (v128.bitselect (f64x2.div (local.get $swv) (local.get $v1)) (local.get $res) (local.get $stop)))
        (local.set $active (v128.andnot (local.get $active) (local.get $stop)))
        (br_if $done (i32.eqz (v128.any_true (local.get $active))))
        (local.set $lower (f64x2.sub (local.get $mu) (f64x2.mul (f64x2.splat (global.get $lo)) (local.get $sd))))
        (local.set $upper (f64x2.add (local.get $mu) (f64x2.mul (f64x2.splat (global.get $hi)) (local.get $sd))))
        (local.set $k1 (v128.const i64x2 0 0))
        (local.set $k2 (v128.const i64x2 0 0))
        (local.set $kwv (v128.const i64x2 0 0))
        (local.set $dropped (v128.const i64x2 0 0))
        (local.set $p (local.get $p0))
        ;; drop kept samples outside [lower, upper] and sum the survivors (in a lane that stopped
        ;; this changes only weights and sums that lane never reads again)
        (loop $reject
          (local.set $v (v128.load (local.get $p)))
          (local.set $wm (v128.load offset=32 (local.get $p)))
          (local.set $drop (v128.and (f64x2.gt (local.get $wm) (v128.const f64x2 0 0))
            (v128.or (f64x2.lt (local.get $v) (local.get $lower)) (f64x2.gt (local.get $v) (local.get $upper)))))
          (local.set $wm (v128.andnot (local.get $wm) (local.get $drop)))
          (v128.store offset=32 (local.get $p) (local.get $wm))
          (local.set $k1 (f64x2.add (local.get $k1) (local.get $wm)))
          (local.set $k2 (f64x2.add (local.get $k2) (f64x2.mul (local.get $wm) (local.get $wm))))
          (local.set $kwv (f64x2.add (local.get $kwv) (f64x2.mul (local.get $wm) (local.get $v))))
          (local.set $dropped (i64x2.sub (local.get $dropped) (local.get $drop)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br_if $reject (i32.lt_u (local.get $p) (local.get $end))))
        ;; nothing dropped: the mean of the current sums
        (local.set $stop (v128.and (local.get $active) (i64x2.eq (local.get $dropped) (v128.const i64x2 0 0))))
        (local.set $res (v128.bitselect (f64x2.div (local.get $swv) (local.get $v1)) (local.get $res) (local.get $stop)))
        (local.set $active (v128.andnot (local.get $active) (local.get $stop)))
        ;; over-clipped: the unclipped mean, all valid samples counted as kept
        (local.set $knew (i64x2.sub (local.get $kept) (local.get $dropped)))
        (local.set $stop (v128.and (local.get $active) (i64x2.lt_s (local.get $knew) (local.get $minKeep))))
        (local.set $res (v128.bitselect (local.get $mean0) (local.get $res) (local.get $stop)))
        (local.set $kept (v128.bitselect (local.get $cnt) (local.get $kept) (local.get $stop)))
        (local.set $fb (v128.or (local.get $fb) (local.get $stop)))
        (local.set $active (v128.andnot (local.get $active) (local.get $stop)))
        (local.set $kept (v128.bitselect (local.get $knew) (local.get $kept) (local.get $active)))
        ;; lanes that stopped never read their sums again
        (local.set $v1 (local.get $k1))
        (local.set $v2 (local.get $k2))
        (local.set $swv (local.get $kwv))
        (local.set $iter (i32.add (local.get $iter) (i32.const 1)))
        (br $iterate)))
    ;; max_iters reached: the mean of the last sums
    (local.set $res (v128.bitselect (f64x2.div (local.get $swv) (local.get $v1)) (local.get $res) (local.get $active)))
    (global.set $kept (local.get $kept))
    (global.set $fallback (local.get $fb))
    (local.get $res))

  ;; Both i64 lanes (small counts) as float64.
  (func $toF64 (param $c v128) (result v128)
    (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $c) (local.get $c))))

  ;; Stores lane 0 (and lane 1 unless `full` is 0) of r as float32 at $at.
  (func $store2 (param $at i32) (param $r v128) (param $full i32)
    (if (local.get $full)
      (then (v128.store64_lane 0 (local.get $at) (f32x4.demote_f64x2_zero (local.get $r))))
      (else (f32.store (local.get $at) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $r)))))))

  ;; A band of `rows` tile rows of w pixels over n >= 1 frames: frame f's row r at in + f*fs + 4*w*r,
  ;; the first row of parity py0 (0 even, 1 odd), whose rows take wR0 / ktab0 (even) or wR1 /
  ;; ktab1 (odd). Outputs: R row r at out + 4*w*r, the mean tile one block further, the coverage
  ;; (number of non-NaN samples, as float32) two blocks further; a cluster's at its block address
  ;; + 4*w*r. flags: 1 = stacking method average (R is the weighted mean, no
  ;; statistics), 2 = synthetic tiles by the clip (tile_weighted with rej).
  (func (export "band")
    (param $in i32) (param $fs i32) (param $n i32) (param $w i32) (param $rows i32) (param $py0 i32)
    (param $wR0 i32) (param $wR1 i32) (param $out i32) (param $block i32) (param $ktab0 i32) (param $ktab1 i32) (param $nk i32)
    (param $flags i32) (param $rec i32) (param $crec i32) (param $stats i32)
    (param $lo f64) (param $hi f64) (param $maxIters i32) (param $minFrac f64)
    (local $r i32) (local $orow i32) (local $odd i32)
    (global.set $lo (local.get $lo))
    (global.set $hi (local.get $hi))
    (global.set $maxIters (local.get $maxIters))
    (global.set $minFrac (local.get $minFrac))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $orow (i32.shl (i32.mul (local.get $r) (local.get $w)) (i32.const 2)))
        (local.set $odd (i32.and (i32.add (local.get $py0) (local.get $r)) (i32.const 1)))
        (call $row (i32.add (local.get $in) (local.get $orow)) (local.get $fs) (local.get $n) (local.get $w)
          (select (local.get $wR1) (local.get $wR0) (local.get $odd))
          (i32.add (local.get $out) (local.get $orow))
          (i32.add (i32.add (local.get $out) (local.get $block)) (local.get $orow))
          (i32.add (i32.add (local.get $out) (i32.shl (local.get $block) (i32.const 1))) (local.get $orow))
          (select (local.get $ktab1) (local.get $ktab0) (local.get $odd))
          (local.get $nk) (local.get $orow) (local.get $flags) (local.get $rec) (local.get $crec) (local.get $stats))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next))))

  ;; One tile row (see band): frame f's row at in + f*fs; the cluster outputs go to their block
  ;; address + orow.
  (func $row
    (param $in i32) (param $fs i32) (param $n i32) (param $w i32) (param $wR i32) (param $outR i32) (param $outM i32) (param $outC i32)
    (param $ktab i32) (param $nk i32) (param $orow i32) (param $flags i32) (param $rec i32) (param $crec i32) (param $stats i32)
    (local $x i32) (local $full i32) (local $lane v128) (local $a i32) (local $r i32) (local $q i32) (local $end i32)
    (local $v v128) (local $fin v128) (local $wm v128)
    (local $msum v128) (local $mcnt v128) (local $cov v128) (local $cnt v128) (local $v1 v128) (local $v2 v128) (local $swv v128) (local $res v128)
    (local $sIn v128) (local $sKept v128) (local $sFb v128)
    (local $k i32) (local $kr i32) (local $mem i32) (local $m i32) (local $wk i32) (local $i i32)
    (local.set $end (i32.add (local.get $rec) (i32.shl (local.get $n) (i32.const 6))))
    (block $rowDone
      (loop $pair
        (br_if $rowDone (i32.ge_s (local.get $x) (local.get $w)))
        ;; an odd row's last pixel has no partner: lane 1 reads past the row and is masked off
        (local.set $full (i32.lt_s (i32.add (local.get $x) (i32.const 1)) (local.get $w)))
        (local.set $lane (select (v128.const i64x2 -1 -1) (v128.const i64x2 -1 0) (local.get $full)))
        (local.set $msum (v128.const i64x2 0 0))
        (local.set $mcnt (v128.const i64x2 0 0))
        (local.set $cov (v128.const i64x2 0 0))
        (local.set $cnt (v128.const i64x2 0 0))
        (local.set $v1 (v128.const i64x2 0 0))
        (local.set $v2 (v128.const i64x2 0 0))
        (local.set $swv (v128.const i64x2 0 0))
        (local.set $a (i32.add (local.get $in) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $r (local.get $rec))
        (local.set $q (local.get $wR))
        ;; every frame: the mean tile's sums, the records, the first sums of R
        (loop $frame
          (local.set $v (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $a))))
          (local.set $cov (i64x2.sub (local.get $cov) (f64x2.eq (local.get $v) (local.get $v))))
          (local.set $fin (v128.and (f64x2.eq (f64x2.sub (local.get $v) (local.get $v)) (v128.const f64x2 0 0)) (local.get $lane)))
          (local.set $v (v128.and (local.get $v) (local.get $fin)))
          (v128.store (local.get $r) (local.get $v))
          (v128.store offset=16 (local.get $r) (local.get $fin))
          (local.set $msum (f64x2.add (local.get $msum) (local.get $v)))
          (local.set $mcnt (i64x2.sub (local.get $mcnt) (local.get $fin)))
          (local.set $wm (v128.and (v128.load (local.get $q)) (local.get $fin)))
          (v128.store offset=32 (local.get $r) (local.get $wm))
          (local.set $cnt (i64x2.sub (local.get $cnt) (f64x2.gt (local.get $wm) (v128.const f64x2 0 0))))
          (local.set $v1 (f64x2.add (local.get $v1) (local.get $wm)))
          (local.set $v2 (f64x2.add (local.get $v2) (f64x2.mul (local.get $wm) (local.get $wm))))
          (local.set $swv (f64x2.add (local.get $swv) (f64x2.mul (local.get $wm) (local.get $v))))
          (local.set $a (i32.add (local.get $a) (local.get $fs)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (local.set $r (i32.add (local.get $r) (i32.const 64)))
          (br_if $frame (i32.lt_u (local.get $r) (local.get $end))))
        (call $store2 (i32.add (local.get $outM) (i32.shl (local.get $x) (i32.const 2)))
          (v128.bitselect (f64x2.div (local.get $msum) (call $toF64 (local.get $mcnt))) (v128.const f64x2 nan nan)
                          (i64x2.gt_s (local.get $mcnt) (v128.const i64x2 0 0)))
          (local.get $full))
        (call $store2 (i32.add (local.get $outC) (i32.shl (local.get $x) (i32.const 2))) (call $toF64 (local.get $cov)) (local.get $full))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $res (f64x2.div (local.get $swv) (local.get $v1))))
          (else
            (local.set $res (call $clip (local.get $rec) (local.get $n) (local.get $v1) (local.get $v2) (local.get $swv) (local.get $cnt)))
            (local.set $sIn (i64x2.add (local.get $sIn) (local.get $cnt)))
            (local.set $sKept (i64x2.add (local.get $sKept) (global.get $kept)))
            (local.set $sFb (i64x2.sub (local.get $sFb) (global.get $fallback)))))
        (call $store2 (i32.add (local.get $outR) (i32.shl (local.get $x) (i32.const 2)))
          (v128.bitselect (local.get $res) (v128.const f64x2 nan nan) (i64x2.gt_s (local.get $cnt) (v128.const i64x2 0 0)))
          (local.get $full))

        ;; the synthetic tiles: each cluster's members, in frame order
        (local.set $k (i32.const 0))
        (local.set $kr (local.get $ktab))
        (block $clustersDone
          (loop $cluster
            (br_if $clustersDone (i32.ge_s (local.get $k) (local.get $nk)))
            (local.set $mem (i32.load (local.get $kr)))
            (local.set $m (i32.load offset=4 (local.get $kr)))
            (local.set $wk (i32.load offset=8 (local.get $kr)))
            (local.set $cnt (v128.const i64x2 0 0))
            (local.set $v1 (v128.const i64x2 0 0))
            (local.set $v2 (v128.const i64x2 0 0))
            (local.set $swv (v128.const i64x2 0 0))
            (local.set $i (i32.const 0))
            (local.set $q (local.get $crec))
            (if (i32.and (local.get $flags) (i32.const 2))
              (then
                ;; gather the members into crec for the clip
                (block $gathered
                  (loop $gather
                    (br_if $gathered (i32.ge_s (local.get $i) (local.get $m)))
                    (local.set $r (i32.add (local.get $rec) (i32.load (i32.add (local.get $mem) (i32.shl (local.get $i) (i32.const 2))))))
                    (local.set $v (v128.load (local.get $r)))
                    (local.set $wm (v128.and (v128.load (i32.add (local.get $wk) (i32.shl (local.get $i) (i32.const 4)))) (v128.load offset=16 (local.get $r))))
                    (v128.store (local.get $q) (local.get $v))
                    (v128.store offset=32 (local.get $q) (local.get $wm))
                    (local.set $cnt (i64x2.sub (local.get $cnt) (f64x2.gt (local.get $wm) (v128.const f64x2 0 0))))
                    (local.set $v1 (f64x2.add (local.get $v1) (local.get $wm)))
                    (local.set $v2 (f64x2.add (local.get $v2) (f64x2.mul (local.get $wm) (local.get $wm))))
                    (local.set $swv (f64x2.add (local.get $swv) (f64x2.mul (local.get $wm) (local.get $v))))
                    (local.set $q (i32.add (local.get $q) (i32.const 64)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $gather)))
                (local.set $res (call $clip (local.get $crec) (local.get $m) (local.get $v1) (local.get $v2) (local.get $swv) (local.get $cnt))))
              (else
                ;; weighted mean: sum w and sum w*v over the members
                (block $summed
                  (loop $sum
                    (br_if $summed (i32.ge_s (local.get $i) (local.get $m)))
                    (local.set $r (i32.add (local.get $rec) (i32.load (i32.add (local.get $mem) (i32.shl (local.get $i) (i32.const 2))))))
                    (local.set $wm (v128.and (v128.load (i32.add (local.get $wk) (i32.shl (local.get $i) (i32.const 4)))) (v128.load offset=16 (local.get $r))))
                    (local.set $cnt (i64x2.sub (local.get $cnt) (f64x2.gt (local.get $wm) (v128.const f64x2 0 0))))
                    (local.set $v1 (f64x2.add (local.get $v1) (local.get $wm)))
                    (local.set $swv (f64x2.add (local.get $swv) (f64x2.mul (local.get $wm) (v128.load (local.get $r)))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $sum)))
                (local.set $res (f64x2.div (local.get $swv) (local.get $v1)))))
            (call $store2 (i32.add (i32.add (i32.load offset=12 (local.get $kr)) (local.get $orow)) (i32.shl (local.get $x) (i32.const 2)))
              (v128.bitselect (local.get $res) (v128.const f64x2 nan nan) (i64x2.gt_s (local.get $cnt) (v128.const i64x2 0 0)))
              (local.get $full))
            (local.set $kr (i32.add (local.get $kr) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cluster)))
        (local.set $x (i32.add (local.get $x) (i32.const 2)))
        (br $pair)))
    ;; the statistics of R (integers)
    (i64.store (local.get $stats) (i64.add (i64.load (local.get $stats))
      (i64.add (i64x2.extract_lane 0 (local.get $sIn)) (i64x2.extract_lane 1 (local.get $sIn)))))
    (i64.store offset=8 (local.get $stats) (i64.add (i64.load offset=8 (local.get $stats))
      (i64.add (i64x2.extract_lane 0 (local.get $sKept)) (i64x2.extract_lane 1 (local.get $sKept)))))
    (i64.store offset=16 (local.get $stats) (i64.add (i64.load offset=16 (local.get $stats))
      (i64.add (i64x2.extract_lane 0 (local.get $sFb)) (i64x2.extract_lane 1 (local.get $sFb))))))
)
