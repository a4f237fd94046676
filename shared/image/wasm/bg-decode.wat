;; FITS BITPIX 16 pixels (big-endian int16) to float32 stored + bzero, 8 pixels per step:
;; bytes swapped per 16-bit lane, sign-extended to i32, bzero added as an integer, converted to
;; float32 (exact: the caller passes only integer bzero with |bzero| <= 2^23, so every result is
;; an integer below 2^24), stored == blank -> the quiet NaN 0x7fc00000 (fits/decode.ts writes
;; Number.NaN, the same bits).
;; Memory (bytes; fits/decode.ts via bg-decode.ts): source bytes at 0, n * 2 of them (+16),
;; float32 output at `out`.
(module
  (memory (export "memory") 1)

  (func (export "decode_int16") (param $n i32) (param $out i32) (param $bzero i32) (param $useBlank i32) (param $blank i32)
    (local $src i32) (local $dst i32) (local $end8 i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $bz v128) (local $bl v128) (local $nan v128) (local $x i32) (local $s i32) (local $i i32)
    (local.set $bz (i32x4.splat (local.get $bzero)))
    (local.set $bl (i32x4.splat (local.get $blank)))
    (local.set $nan (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000))
    (local.set $dst (local.get $out))
    (local.set $end8 (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 1)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $src) (local.get $end8)))
      (local.set $v (i8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14 (v128.load (local.get $src)) (v128.load (local.get $src))))
      (local.set $lo (i32x4.extend_low_i16x8_s (local.get $v)))
      (local.set $hi (i32x4.extend_high_i16x8_s (local.get $v)))
      (if (local.get $useBlank)
        (then
          (v128.store (local.get $dst) (v128.bitselect (local.get $nan) (f32x4.convert_i32x4_s (i32x4.add (local.get $lo) (local.get $bz))) (i32x4.eq (local.get $lo) (local.get $bl))))
          (v128.store offset=16 (local.get $dst) (v128.bitselect (local.get $nan) (f32x4.convert_i32x4_s (i32x4.add (local.get $hi) (local.get $bz))) (i32x4.eq (local.get $hi) (local.get $bl)))))
        (else
          (v128.store (local.get $dst) (f32x4.convert_i32x4_s (i32x4.add (local.get $lo) (local.get $bz))))
          (v128.store offset=16 (local.get $dst) (f32x4.convert_i32x4_s (i32x4.add (local.get $hi) (local.get $bz))))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
      (br $l)))
    ;; the last 0..7 pixels
    (local.set $i (i32.and (local.get $n) (i32.const -8)))
    (block $tdone (loop $t
      (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (i32.load16_u (i32.shl (local.get $i) (i32.const 1))))
      (local.set $s (i32.or (i32.shr_s (i32.shl (local.get $x) (i32.const 24)) (i32.const 16)) (i32.shr_u (local.get $x) (i32.const 8))))
      (if (i32.and (local.get $useBlank) (i32.eq (local.get $s) (local.get $blank)))
        (then (i32.store (local.get $dst) (i32.const 0x7fc00000)))
        (else (f32.store (local.get $dst) (f32.convert_i32_s (i32.add (local.get $s) (local.get $bzero))))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $t))))
)
