// The `layerlab` package's example page in Chromium: it loads the web build of the package (no
// playground), trains a pasted link and prints the same losses as the package does in Node; a bad
// link prints the validation message. Run by `cargo xtask test`.
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
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

test('the example page trains a pasted link with the package alone, as the package does in Node', async () => {
  const page = await (await browser.newContext()).newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(EXAMPLE);
  const spec = JSON.stringify({ data: { dataset: 'xor' }, model: [{ dense: { units: 8 } }], seed: 3 });
  const link = Experiment.fromSpec(spec).link();

  const node = Experiment.fromLink(link);
  node.step(300);
  const m = node.evaluate();
  const expected = `step 300: training loss ${m.trainLoss.toFixed(6)}, test loss ${m.testLoss.toFixed(6)}`;

  await page.fill('#link', `http://example.org/#${link}`);
  await page.fill('#steps', '300');
  await page.click('#train');
  await page.locator('#out').filter({ hasText: /^step 300:/ }).waitFor({ timeout: 20_000 });
  assert.equal(await page.textContent('#out'), expected);

  await page.fill('#link', 'v1.cut-off');
  await page.click('#train');
  await page.locator('#out').filter({ hasText: /^Error: / }).waitFor();
  assert.match(await page.textContent('#out'), /link/);
  assert.deepEqual(problems, []);
});
