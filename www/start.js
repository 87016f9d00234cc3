// Starts LayerLab's one wasm module (crates/web) in the page, and again in the training worker
// the page starts as a module worker on this file: the module mounts the page where it finds a
// window and answers the page's messages where it does not. The page downloads and compiles it;
// the worker gets the compiled module from the page (its first message, with the folder of
// its build), so neither happens twice.
// Two builds of the module sit beside this file (`cargo xtask serve` builds both), each with its
// wasm-bindgen glue (ES module), its split loader and the chunks it fetches on first use:
// relaxed/, compiled with relaxed SIMD (its matrix multiply uses a fused multiply-add, ~15 %
// faster on CPUs that have one), and this folder's, plain 128-bit SIMD, for browsers without
// relaxed SIMD. A module worker needs Chromium 80+, Firefox 114+ or Safari 15+ (128-bit SIMD
// already asks for Chromium 91+ and Safari 16.4+).

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
const GLUE = 'layerlab-web.js';
const WASM = 'layerlab-web_bg.wasm';

// The build in `folder` ('' or 'relaxed/'), run on `module_or_path`.
const run = async (folder, module_or_path) => {
  const glue = await import(`./${folder}${GLUE}`);
  await glue.default({ module_or_path });
};

if (typeof window === 'undefined') {
  // In the worker: the page's compiled module and its folder are the first message
  // (crates/app/src/worker_link.rs).
  self.onmessage = (event) => {
    self.onmessage = null;
    const [module, folder] = event.data;
    run(folder, module);
  };
} else {
  // In the page: the relaxed-SIMD build where the browser has relaxed SIMD and it can be
  // fetched, else the plain build.
  const plain = () => run('', `./${WASM}`);
  if (WebAssembly.validate(RELAXED_SIMD)) run('relaxed/', `./relaxed/${WASM}`).catch(plain);
  else plain();
}
