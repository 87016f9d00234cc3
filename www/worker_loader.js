// Starts the training worker (crates/worker): the page runs `new Worker('./worker_loader.js')`.
// Two builds of the same worker sit beside this file, with the same wasm-bindgen glue:
// worker_relaxed_bg.wasm, compiled with relaxed SIMD (its matrix multiply uses a fused
// multiply-add, ~15 % faster on CPUs that have one), and worker_bg.wasm, plain 128-bit SIMD,
// for browsers without relaxed SIMD (`cargo xtask serve` builds both; a bare `trunk build` only
// the plain one, which is then used).
'use strict';

// A module whose one function computes f32x4.relaxed_madd of three zero vectors: it validates
// only where the browser has relaxed SIMD.
const RELAXED_SIMD = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x13, 0x01, 0x11, 0x00, // its code: 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, // 3 × i32x4.splat(0)
  0xfd, 0x85, 0x02, 0x0b, // f32x4.relaxed_madd, end
]);

let build = WebAssembly.validate(RELAXED_SIMD) ? 'worker_relaxed' : 'worker';
try {
  importScripts(`./${build}.js`);
} catch (_) {
  build = 'worker';
  importScripts('./worker.js');
}
wasm_bindgen(`./${build}_bg.wasm`);
