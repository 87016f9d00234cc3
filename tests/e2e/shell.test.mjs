// The app shell in a real browser: structure, worker, backend detection, the CPU setting, and
// hostile URLs. Run by `cargo xtask test` against the served release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, workerReady, backendLabel, waitForNumber } from './browser.mjs';

let withGpu;
let withoutGpu;
before(async () => {
  withGpu = await launch({ webgpu: true });
  withoutGpu = await launch({ webgpu: false });
});
after(async () => {
  await withGpu?.close();
  await withoutGpu?.close();
});

test('the page loads its structure with no console errors or failed requests', async () => {
  const { page, context, problems } = await open(withGpu);
  assert.equal(await page.title(), 'LayerLab — a neural-network playground');
  assert.equal((await page.locator('h1').textContent()).startsWith('LayerLab'), true);
  for (const name of ['Data', 'Architecture', 'Output']) {
    assert.equal(await page.getByRole('region', { name }).count(), 1, `the ${name} region`);
  }
  await backendLabel(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the worker answers a ping', async () => {
  const { page, context } = await open(withoutGpu);
  const status = await workerReady(page);
  assert.match(status, /^ready \(ping \d+\.\d ms\)$/);
  assert.equal(await page.locator('#worker-status').getAttribute('data-state'), 'ready');
  await context.close();
});

test('the page and its worker run the relaxed-SIMD build where the browser has relaxed SIMD, the plain build otherwise', async () => {
  // (what the server answers for the relaxed build, or null to serve it; the wasm asked for)
  const cases = [
    [null, ['/relaxed/layerlab-web_bg.wasm']],
    [{ status: 404, body: 'not found' }, ['/relaxed/layerlab-web_bg.wasm', '/layerlab-web_bg.wasm']],
  ];
  for (const [answer, expected] of cases) {
    const context = await withoutGpu.newContext();
    if (answer) await context.route('**/relaxed/layerlab-web_bg.wasm', (route) => route.fulfill(answer));
    const wasm = [];
    context.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname));
    const page = await context.newPage();
    await page.goto(process.env.LAYERLAB_URL);
    await workerReady(page);
    await page.locator('#test-loss').filter({ hasNotText: '—' }).waitFor({ timeout: 30_000 });
    await page.click('#step');
    await waitForNumber(page, '#step-count', (s) => s === 1, 10_000);
    // Fetched once: the worker runs the page's compiled module.
    assert.deepEqual(wasm, expected);
    await context.close();
  }
});

/** Opens `path` in `browser`, recording the paths of the WGSL files and code chunks the page fetches. */
async function openCountingKernels(browser, path) {
  const kernels = [];
  const chunks = [];
  const count = (context) => context.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/wgsl/')) kernels.push(pathname);
    if (/\/split_\w+\.wasm$/.test(pathname)) chunks.push(pathname);
  });
  return { ...(await open(browser, path, { before: count })), kernels, chunks };
}

test('a software WebGPU adapter is passed over for the CPU, and the tooltip says how to use it', async () => {
  // Headless Chromium's adapter is SwiftShader, a software (fallback) one: slower than the CPU.
  const { page, context, problems, kernels, chunks } = await openCountingKernels(withGpu, '');
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  const why = await page.locator('#backend-label').getAttribute('title');
  assert.match(why, /software adapter/);
  assert.match(why, /backend=webgpu/);
  assert.deepEqual(kernels, [], 'training on the CPU fetches no WGSL');
  assert.deepEqual(chunks, [], 'nor the GPU backend\'s code');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the GPU kernels that cannot be fetched are named, and training runs on the CPU', async () => {
  const gone = (context) => context.route('**/wgsl/optim.wgsl', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const { page, context } = await open(withGpu, '?backend=webgpu', { before: gone });
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  const said = /The GPU's kernels could not be loaded \(could not fetch wgsl\/optim\.wgsl, which training on the GPU needs \(the server answered 404/;
  await page.locator('#backend-explanation').filter({ hasText: said }).waitFor({ state: 'attached', timeout: 10_000 });
  await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  await context.close();
});

test('the GPU backend\'s code that cannot be fetched is named, and training runs on the CPU', async () => {
  const gone = (context) => context.route('**/split_gpu.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const { page, context } = await open(withGpu, '?backend=webgpu', { before: gone });
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  const said = /The GPU's kernels could not be loaded \(could not fetch the code this needs \(split_gpu\.wasm, beside the page\)/;
  await page.locator('#backend-explanation').filter({ hasText: said }).waitFor({ state: 'attached', timeout: 10_000 });
  await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  await context.close();
});

test('the GPU kernels are served without comments, and a kernel served as its source is accepted too', async () => {
  // `cargo xtask` strips the WGSL it serves; Trunk alone would copy the sources, comments and all.
  const source = readFileSync(new URL('../../crates/gpu/src/wgsl/optim.wgsl', import.meta.url), 'utf8');
  const asSource = (context) => context.route('**/wgsl/optim.wgsl', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: source }));
  const { page, context, problems } = await open(withGpu, '?backend=webgpu', { before: asSource });
  assert.match(await backendLabel(page), /^WebGPU \(/);
  const served = await page.evaluate(() => fetch('wgsl/matmul.wgsl').then((r) => r.text()));
  assert.ok(source.includes('//') && served.includes('fn ') && !served.includes('//'), 'matmul.wgsl is served stripped');
  assert.deepEqual(problems, []);
  await context.close();
});

test('?backend=webgpu trains on WebGPU, software adapter and all, and the numbers move', async () => {
  const { page, context, problems, kernels, chunks } = await openCountingKernels(withGpu, '?backend=webgpu');
  assert.match(await backendLabel(page), /^WebGPU \(.+, software\)$/);
  const files = ['common', 'activation', 'rng', 'matmul', 'elementwise', 'reduce', 'optim', 'norm', 'sequence', 'moe', 'kan'];
  assert.deepEqual([...kernels].sort(), files.map((f) => `/wgsl/${f}.wgsl`).sort(), 'each WGSL file fetched once');
  assert.deepEqual(chunks, ['/relaxed/split_gpu.wasm'], 'and the GPU backend\'s code, once');
  assert.match(await page.locator('#backend-label').getAttribute('title'), /Training runs on WebGPU/);
  await page.locator('#test-loss').filter({ hasNotText: '—' }).waitFor({ timeout: 30_000 });
  const before = Number(await page.locator('#train-loss').textContent());
  await page.click('#play');
  const step = await waitForNumber(page, '#step-count', (s) => s >= 200, 90_000);
  await page.click('#play');
  const after = Number(await page.locator('#train-loss').textContent());
  assert.ok(step >= 200 && after < before, `step ${step}: the training loss went from ${before} to ${after}`);
  assert.equal(await page.locator('.notice').count(), 0, 'no notice: the GPU was not lost');
  assert.deepEqual(problems, []);
  await context.close();
});

test('without WebGPU, the backend is the CPU', async () => {
  const { page, context, problems } = await open(withoutGpu);
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  assert.match(await page.locator('#backend-explanation').textContent(), /no GPU adapter|no WebGPU/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('?backend=cpu forces the CPU where WebGPU is available', async () => {
  const { page, context, problems } = await open(withGpu, '?backend=cpu');
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  assert.equal(await page.getByLabel('Train on').inputValue(), 'cpu');
  assert.match(await page.locator('#backend-explanation').textContent(), /backend=cpu/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the backend setting works from the keyboard and survives a reload', async () => {
  const { page, context, problems } = await open(withGpu);
  const explanation = page.locator('#backend-explanation');
  await backendLabel(page);
  await explanation.filter({ hasText: 'software adapter' }).waitFor();
  const picker = page.getByLabel('Train on');
  // Reach the setting with Tab, as a keyboard user would, and pick with the arrow keys.
  for (let i = 0; i < 10 && !(await picker.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await picker.evaluate((el) => el === document.activeElement), true, 'Tab reaches the backend setting');
  await page.keyboard.press('ArrowDown');
  assert.equal(await picker.inputValue(), 'cpu');
  await explanation.filter({ hasText: 'settings' }).waitFor();

  await page.reload();
  await workerReady(page);
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  await explanation.filter({ hasText: 'settings' }).waitFor();
  assert.equal(await picker.inputValue(), 'cpu');

  // WebGPU, software adapter and all.
  await picker.selectOption('webgpu');
  await page.locator('#backend-label').filter({ hasText: 'WebGPU' }).waitFor();
  await picker.selectOption('auto');
  await explanation.filter({ hasText: 'software adapter' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a malformed fragment and unknown parameters never break the page', async () => {
  const hostile = '?foo=1&backend=tpu&%ZZ=%%#%%%zz<script>alert(1)</script>' + 'x'.repeat(5000);
  const { page, context, problems } = await open(withGpu, hostile);
  assert.equal(await backendLabel(page), 'CPU (WebAssembly)');
  const notices = page.locator('.notice span');
  assert.equal(await notices.count(), 3);
  const texts = await notices.allTextContents();
  assert.ok(texts.some((t) => t.includes("'foo'") && t.includes('backend=cpu, backend=auto or backend=webgpu')), texts.join(' | '));
  assert.ok(texts.some((t) => t.includes('backend=tpu')), texts.join(' | '));
  await page.getByRole('button', { name: 'Dismiss this notice' }).first().click();
  assert.equal(await notices.count(), 2);
  assert.deepEqual(problems, []);
  await context.close();
});

// The page's own request for start.js comes first, the worker's after (routing turns the
// browser's cache off, so the worker asks again). Fails all but the first. Routed before the
// page opens (`before`): a route added to an open page could see its worker's request first.
const failAfterFirst = (fail) => {
  let seen = 0;
  return (route) => (seen++ === 0 ? route.continue() : fail(route));
};

test('a worker script that cannot be fetched is reported at once', async () => {
  const gone = failAfterFirst((route) => route.fulfill({ status: 404, body: 'gone' }));
  const before = (context) => context.route('**/start.js', gone);
  const { page, context, problems } = await open(withoutGpu, '', { waitForWorker: false, before });
  const status = page.locator('#worker-status');
  await status.filter({ hasText: 'stopped:' }).waitFor({ timeout: 10_000 });
  assert.match(await status.textContent(), /could not be loaded or run.*reload the page/);
  assert.ok(problems.some((p) => p.includes('start.js')), 'the 404 was what failed');
  await context.close();
});

test('a worker that never starts its module is reported after the start timeout', async () => {
  // The page's start.js is the real one; the worker's waits for nothing and never says Ready.
  const silent = { status: 200, contentType: 'text/javascript', body: '// never starts' };
  const before = (context) => context.route('**/start.js', failAfterFirst((route) => route.fulfill(silent)));
  const { page, context } = await open(withoutGpu, '', { waitForWorker: false, before });
  const status = page.locator('#worker-status');
  await status.filter({ hasText: 'stopped:' }).waitFor({ timeout: 30_000 });
  assert.equal(await status.getAttribute('data-state'), 'failed');
  assert.match(await status.textContent(), /reload/);
  await context.close();
});
