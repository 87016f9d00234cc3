// The `layerlab` package's example page in Chromium: it loads the web build of the package (no
// playground), trains a pasted link and prints the same losses as the package does in Node; a bad
// link prints the validation message; with WebGPU (SwiftShader) and `backend=webgpu` in the link it
// trains there, to the CPU's losses within 1e-3. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const EXAMPLE = process.env.LAYERLAB_EXAMPLE_URL;
const PACKAGE = process.env.LAYERLAB_PACKAGE;
if (!EXAMPLE || !PACKAGE) throw new Error('LAYERLAB_EXAMPLE_URL and LAYERLAB_PACKAGE are not set: run these through `cargo xtask test`');
const { Experiment } = createRequire(import.meta.url)(join(PACKAGE, 'layerlab.js'));

let browser;
let withGpu;
before(async () => {
  browser = await launch({ webgpu: false });
  withGpu = await launch({ webgpu: true });
});
after(async () => {
  await browser?.close();
  await withGpu?.close();
});

/** Node's losses for `link` after `steps` steps, as the example page prints them. */
async function nodeLosses(link, steps) {
  const node = await Experiment.fromLink(link);
  await node.step(steps);
  const m = node.evaluate();
  node.free();
  return m;
}

/** The example page in a fresh context of `chromium`, with the errors it logs collected and the
 *  wasm files it loads. */
async function openExample(chromium) {
  const page = await (await chromium.newContext()).newPage();
  const problems = [];
  const wasm = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname.split('/').pop()));
  await page.goto(EXAMPLE);
  return { page, problems, wasm };
}

async function train(page, link, steps) {
  await page.fill('#link', link);
  await page.fill('#steps', String(steps));
  await page.click('#train');
  await page.locator('#out').filter({ hasText: new RegExp(`^step ${steps}:`) }).waitFor({ timeout: 30_000 });
  return page.textContent('#out');
}

test('the example page trains a pasted link with the package alone, as the package does in Node', async () => {
  const { page, problems, wasm } = await openExample(browser);
  const spec = JSON.stringify({ data: { dataset: 'xor' }, model: [{ dense: { units: 8 } }], seed: 3 });
  const link = (await Experiment.fromSpec(spec)).link();
  const m = await nodeLosses(link, 300);
  const expected = `step 300: training loss ${m.trainLoss.toFixed(6)}, test loss ${m.testLoss.toFixed(6)}`;
  assert.equal(await train(page, `http://example.org/#${link}`, 300), expected);
  assert.equal(await page.textContent('#backend'), 'CPU (WebAssembly)', 'no WebGPU in this browser');
  // The package's entry picked the relaxed-SIMD build, which Chromium can run (Node ran the plain one).
  assert.deepEqual(wasm, ['layerlab_relaxed_bg.wasm']);

  await page.fill('#link', 'v1.cut-off');
  await page.click('#train');
  await page.locator('#out').filter({ hasText: /^Error: / }).waitFor();
  assert.match(await page.textContent('#out'), /link/);
  assert.deepEqual(problems, []);
});

test('with WebGPU and backend=webgpu in the link, the example page trains on WebGPU to the CPU\'s losses', async () => {
  const { page, problems } = await openExample(withGpu);
  const spec = JSON.stringify({ data: { dataset: 'spiral' }, model: [{ dense: { units: 16 } }, { dense: { units: 16 } }], seed: 9 });
  const link = (await Experiment.fromSpec(spec)).link();
  const m = await nodeLosses(link, 200);

  const text = await train(page, `http://example.org/?backend=webgpu#${link}`, 200);
  assert.match(await page.textContent('#backend'), /^WebGPU \(.*software\)$/);
  const [, trainLoss, testLoss] = text.match(/training loss ([\d.]+), test loss ([\d.]+)/).map(Number);
  assert.ok(Math.abs(trainLoss - m.trainLoss) < 1e-3, `training loss ${trainLoss} on WebGPU, ${m.trainLoss} on the CPU`);
  assert.ok(Math.abs(testLoss - m.testLoss) < 1e-3, `test loss ${testLoss} on WebGPU, ${m.testLoss} on the CPU`);

  // Without backend=webgpu, the software adapter is skipped, as on the page.
  await train(page, `http://example.org/#${link}`, 10);
  assert.equal(await page.textContent('#backend'), 'CPU (WebAssembly)');
  assert.match(await page.getAttribute('#backend', 'title'), /software adapter/);
  assert.deepEqual(problems, []);
});
