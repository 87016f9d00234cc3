// Types of index.js: those of wasm-bindgen's module, whose default export it wraps.
export * from './layerlab.js';
export { default } from './layerlab.js';
