// The benchmark page (bench/page, served by `cargo xtask bench` at LAYERLAB_BENCH_URL) in headless
// Chromium with WebGPU (SwiftShader): LayerLab's CPU and WebGPU backends and TensorFlow.js's
// wasm, cpu, webgl and webgpu on the benchmark MLPs, then LayerLab's backends on the literature
// blocks in BENCH_BLOCKS (a folder of specs), one page, one run. Prints one JSON line:
// { rows, user_agent, tfjs, chromium }. BENCH_MODELS (comma-separated ids), BENCH_BUDGET_MS and
// BENCH_SKIP (engine/backend, comma-separated) narrow it. Not a test: timings are reported.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../browser.mjs';

const url = process.env.LAYERLAB_BENCH_URL;
if (!url) throw new Error('LAYERLAB_BENCH_URL is not set: run this through `cargo xtask bench`');
const list = (name) => (process.env[name] ? process.env[name].split(',').filter(Boolean) : undefined);

const browser = await launch({ webgpu: true });
const page = await browser.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push(e.message));
page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
await page.goto(url);
await page.waitForFunction(() => typeof window.bench === 'function', null, { timeout: 30_000 });
const blocks = {};
if (process.env.BENCH_BLOCKS) {
  for (const file of readdirSync(process.env.BENCH_BLOCKS).filter((f) => f.endsWith('.json')).sort()) {
    blocks[file.replace(/\.json$/, '')] = readFileSync(join(process.env.BENCH_BLOCKS, file), 'utf8');
  }
}
const options = {
  models: list('BENCH_MODELS'),
  blocks,
  budgetMs: Number(process.env.BENCH_BUDGET_MS ?? 1500),
  skip: list('BENCH_SKIP') ?? [],
};
const result = await page.evaluate((o) => window.bench(o), options);
result.chromium = browser.version();
result.problems = problems;
await browser.close();
console.log(JSON.stringify(result));
