// The PyTorch export from the page: the worker writes the files for the model as trained, the
// page offers each for download, and (where `cargo xtask test` gives a Python with PyTorch)
// PyTorch's outputs on the exported sample match those the page's engine gave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, open, loaded } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

/** Exports at each of `steps` (the first the run's current step), stepping the run between. */
async function exportAtSteps(page, steps) {
  for (const [i, step] of steps.entries()) {
    if (i > 0) {
      await page.click('#step');
      await page.locator('#step-count').filter({ hasText: new RegExp(`^${step}$`) }).waitFor({ timeout: 10_000 });
    }
    await page.click('#export-torch');
    await page.locator('#torch-step').filter({ hasText: `Exported at step ${step}.` }).waitFor({ timeout: 20_000 });
  }
}

const FILES = ['model.py', 'train.py', 'weights.safetensors', 'data.safetensors', 'sample.safetensors', 'spec.json'];

test('the trained model exports for PyTorch from the page, and PyTorch gives the page\'s outputs', async () => {
  const { page, problems } = await open(browser, '?backend=cpu');
  await loaded(page);
  for (let i = 0; i < 5; i++) await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^5$/ }).waitFor({ timeout: 10_000 });
  await page.click('#export-torch');
  await page.locator('#torch-step').filter({ hasText: 'Exported at step 5.' }).waitFor({ timeout: 20_000 });
  const ids = await page.locator('#torch-files li button').evaluateAll((b) => b.map((x) => x.id));
  assert.deepEqual(ids, FILES.map((f) => `torch-file-${f.replace('.', '-')}`));

  const folder = await mkdtemp(join(tmpdir(), 'layerlab-torch-'));
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.click('#torch-all');
  await page.locator('#export-status').filter({ hasText: 'The PyTorch files downloaded.' }).waitFor({ timeout: 5_000 });
  while (downloads.length < FILES.length) await page.waitForTimeout(50);
  for (const d of downloads) await copyFile(await d.path(), join(folder, d.suggestedFilename()));
  assert.deepEqual(downloads.map((d) => d.suggestedFilename()), FILES);
  const model = await readFile(join(folder, 'model.py'), 'utf8');
  assert.match(model, /def build\(\):/);
  assert.match(model, /Dense\(2, \d+, "tanh"\)/, 'the starting experiment\'s tanh layers');
  const spec = JSON.parse(await readFile(join(folder, 'spec.json'), 'utf8'));
  assert.ok(Array.isArray(spec.model));

  if (process.env.LAYERLAB_PYTHON) {
    const said = execFileSync(process.env.LAYERLAB_PYTHON, ['model.py'], { cwd: folder, encoding: 'utf8' });
    assert.match(said, /largest gap to LayerLab/);
  }
  assert.deepEqual(problems, []);
});

test('the layer library is fetched at the first export only; a failed fetch is explained and the next export works', async () => {
  const { page, context } = await open(browser, '?backend=cpu');
  await loaded(page);
  const fetched = [];
  context.on('request', (r) => r.url().includes('/data/') && fetched.push(new URL(r.url()).pathname));
  await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  // (what the server answers for data/layerlab_torch.py, what the page must say)
  const cases = [
    [{ status: 404, body: 'not found' }, /could not fetch data\/layerlab_torch\.py, which the PyTorch export needs .*the server answered 404/],
    [{ status: 200, body: 'import torch' }, /data\/layerlab_torch\.py is 12 bytes.*come from different builds \(reload the page\)/],
  ];
  for (const [answer, said] of cases) {
    await context.route('**/data/layerlab_torch.py', (route) => route.fulfill(answer));
    await page.click('#export-torch');
    await page.locator('#torch-status').filter({ hasText: said }).waitFor({ timeout: 10_000 });
    await context.unroute('**/data/layerlab_torch.py');
  }
  // Served as built, it arrives and the export is made; a later export fetches nothing.
  await exportAtSteps(page, [1, 2]);
  assert.deepEqual(fetched, Array(3).fill('/data/layerlab_torch.py'));
  await context.close();
});

test('the export\'s code is not part of the page\'s first load: it is fetched at the first export only; a failed fetch is explained and the next export works', async () => {
  const wasm = [];
  const record = (context) => context.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname));
  const { page, context } = await open(browser, '?backend=cpu', { before: record });
  await loaded(page);
  await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  assert.deepEqual(wasm, ['/relaxed/layerlab-web_bg.wasm'], 'the page and its worker start without the export\'s chunk');
  const chunk = '**/relaxed/split_export.wasm';
  await context.route(chunk, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.click('#export-torch');
  const said = /could not fetch the code this needs \(split_export\.wasm, beside the page\): check the connection/;
  await page.locator('#torch-status').filter({ hasText: said }).waitFor({ timeout: 10_000 });
  await context.unroute(chunk);
  // Served as built, it arrives and the export is made; a later export fetches nothing.
  await exportAtSteps(page, [1, 2]);
  // (A chunk of code the export shares with another split point, chunk_N.wasm, comes with it once.)
  const split = '/relaxed/split_export.wasm';
  assert.deepEqual(wasm.filter((path) => !/\/chunk_\d+\.wasm$/.test(path)), ['/relaxed/layerlab-web_bg.wasm', split, split]);
  await context.close();
});
