// The `layerlab` package's entry for the web: everything wasm-bindgen's module (layerlab.js)
// exports, with one change to `init()`. Called without a module, it loads
// layerlab_relaxed_bg.wasm, the engine built with relaxed SIMD (its matrix multiply fuses
// multiply and add: 9–15 % faster medium and large training steps in `cargo xtask bench` on an
// Intel CPU), where the browser validates relaxed SIMD, and layerlab_bg.wasm, plain 128-bit
// SIMD, elsewhere: the choice the page's
// worker makes (www/start.js). Both builds share layerlab.js (`cargo xtask pack` checks
// their glue is the same). Pass `{ module_or_path }` to load a build of your choice.
import wasmBindgenInit from './layerlab.js';

export * from './layerlab.js';

// A module whose one function computes f32x4.relaxed_madd of three zero vectors: it validates
// only where the browser has relaxed SIMD. (The same bytes as www/start.js.)
const RELAXED_SIMD = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x13, 0x01, 0x11, 0x00, // its code: 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, // 3 × i32x4.splat(0)
  0xfd, 0x85, 0x02, 0x0b, // f32x4.relaxed_madd, end
]);

/** Loads the engine: the build for this browser, or the one `options.module_or_path` names. */
export default function init(options) {
  if (options !== undefined) return wasmBindgenInit(options);
  const file = WebAssembly.validate(RELAXED_SIMD) ? 'layerlab_relaxed_bg.wasm' : 'layerlab_bg.wasm';
  return wasmBindgenInit({ module_or_path: new URL(file, import.meta.url) });
}
