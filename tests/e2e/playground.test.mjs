// The playground as people use it, through real clicks and key presses on the served release
// build: build a network, train it in the worker, watch the numbers and pictures change, edit
// it mid-run, break it and see why. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, open, loaded, setField, canvasPicture, shownNumber, waitForNumber, screenshot, seriousAccessibilityViolations,
} from './browser.mjs';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

test('a three-hidden-layer network learns spiral: the loss falls below 0.1 and the pictures change', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#dataset', 'spiral');
  // The data panel draws the points before any training.
  await page.locator('#data-preview-caption').filter({ hasText: '250 training and 250 test examples.' }).waitFor({ timeout: 5_000 });
  assert.ok(await page.locator('#data-preview').isVisible());
  await page.click('#add-block'); // the palette starts on dense: a third hidden layer
  assert.equal(await page.locator('.blocks > li').count(), 3);
  for (const i of [0, 1, 2]) await setField(page, `block-${i}-units`, 16);
  await page.locator('#model-totals').filter({ hasText: '609 parameters' }).waitFor();
  // Each block says its shapes, its parameters and its share of a step's FLOPs.
  // 2·2·16 FLOPs forward per example, three passes of backprop, a batch of 10.
  assert.equal(await page.locator('.blocks > li .shape').first().textContent(), '[2] → [16] · 48 parameters · 1.9 k FLOPs per step');
  await waitForNumber(page, '#step-count', (s) => s === 0);
  const surfaceBefore = await canvasPicture(page, 'surface');
  const lossBefore = await canvasPicture(page, 'loss-chart');
  const layersBefore = await canvasPicture(page, 'layer-chart');

  await page.click('#play');
  await page.locator('#play[aria-pressed="true"]').waitFor({ timeout: 2_000 });
  const loss = await waitForNumber(page, '#test-loss', (l) => l < 0.1, 90_000);
  assert.ok(loss < 0.1);
  // The accuracy follows (a loss under 0.1 can still leave 13 of 250 test points wrong).
  await waitForNumber(page, '#test-accuracy', (a) => a > 95, 30_000);
  assert.notEqual(await canvasPicture(page, 'surface'), surfaceBefore, 'the decision surface changed');
  assert.notEqual(await canvasPicture(page, 'loss-chart'), lossBefore, 'the loss curves were drawn');
  assert.notEqual(await canvasPicture(page, 'layer-chart'), layersBefore, 'the layer metrics were drawn');
  // Every layer, measured: its effective rank is a number between 1 and its width (16).
  const rows = page.locator('#layer-table tbody tr');
  assert.deepEqual(await rows.locator('th').allTextContents(), ['model[0]', 'model[1]', 'model[2]', 'output']);
  const rank = Number(await rows.first().locator('td').nth(2).textContent());
  assert.ok(rank >= 1 && rank <= 16, `effective rank ${rank}`);
  // Every hidden unit has its picture; hovering one shows it large.
  assert.equal(await page.locator('canvas.neuron').count(), 48);
  await page.hover('#neuron-2-5');
  assert.equal(await page.locator('#neuron-large').getAttribute('aria-label'), 'model[2], unit 6');
  await page.selectOption('#layer-metric', 'grad_norm');
  assert.match(await page.locator('#layer-chart').getAttribute('aria-label'), /^Gradient norm of every layer/);
  // The same metric as a layer × time heatmap: every layer a row.
  const lines = await canvasPicture(page, 'layer-chart');
  await page.selectOption('#layer-view', 'heatmap');
  assert.match(await page.locator('#layer-chart').getAttribute('aria-label'), /^Heatmap of the gradient norm of every layer over \d+ measurements: one row per layer/);
  assert.notEqual(await canvasPicture(page, 'layer-chart'), lines, 'the heatmap was drawn');
  await page.selectOption('#layer-view', 'lines');
  await screenshot(page, 'spiral');

  await page.click('#play'); // pause
  await page.locator('#play[aria-pressed="false"]').waitFor({ timeout: 2_000 });
  const stoppedAt = await shownNumber(page, '#step-count');
  await page.waitForTimeout(300);
  assert.equal(await shownNumber(page, '#step-count'), stoppedAt, 'a paused run does not train');
  await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === stoppedAt + 1, 5_000);

  // Exact values on the loss chart: where the pointer is, and from the keyboard.
  const readout = page.locator('#loss-readout');
  const box = await page.locator('#loss-chart').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await readout.filter({ hasText: /^Step [\d,]+: training loss \d+\.\d{4}, test loss \d+\.\d{4}, test accuracy [\d.]+%$/ }).waitFor({ timeout: 2_000 });
  const middle = Number((await readout.textContent()).match(/^Step ([\d,]+)/)[1].replaceAll(',', ''));
  assert.ok(middle > 0 && middle < stoppedAt, `the middle of the chart is step ${middle} of ${stoppedAt}`);
  await page.mouse.move(0, 0);
  await page.locator('#loss-chart').focus();
  await page.keyboard.press('End');
  await readout.filter({ hasText: `Step ${(stoppedAt + 1).toLocaleString('en-US')}:` }).waitFor({ timeout: 2_000 });
  await page.keyboard.press('ArrowLeft');
  await readout.filter({ hasText: /^Step / }).filter({ hasNotText: `Step ${(stoppedAt + 1).toLocaleString('en-US')}:` }).waitFor({ timeout: 2_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a new learning rate applies mid-run; a new architecture starts over with a notice', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  for (let i = 0; i < 5; i++) await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 5, 5_000);
  await page.selectOption('#learning-rate', '0.03');
  await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 6, 5_000);
  assert.equal(await page.locator('.notice').count(), 0, 'no restart for a new learning rate');

  await page.click('#block-1-remove');
  await page.locator('.notice', { hasText: 'Training started over from step 0' }).waitFor({ timeout: 10_000 });
  assert.equal(await shownNumber(page, '#step-count'), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a diverging run stops and says why; the linear loss axis stops short of its peak and says so', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  // Linear regression of a plane at learning rate 10: the loss passes 100 times its first value.
  await page.selectOption('#dataset', 'plane');
  await page.selectOption('#learning-rate', '10');
  await page.click('#play');
  const stopped = page.locator('#run-stopped').filter({ hasText: 'training diverged at step' });
  await stopped.waitFor({ timeout: 20_000 });
  assert.match(await stopped.textContent(), /the learning rate \(1\.000e1\) is likely too high/);
  // The axis ends near where the run started, not at its peak, and the page says so in words.
  const note = page.locator('#loss-cut');
  await note.waitFor({ state: 'visible', timeout: 5_000 });
  assert.match(await note.textContent(), /^Losses above [\d.]+ \(over 10 times where they started\) are drawn along the top edge/);
  assert.ok((await page.locator('#loss-chart').getAttribute('aria-label')).endsWith(await note.textContent()));
  // The log scale shows every value: no note.
  await page.check('#log-scale');
  await note.waitFor({ state: 'hidden', timeout: 2_000 });
  assert.doesNotMatch(await page.locator('#loss-chart').getAttribute('aria-label'), /top edge/);
  await page.uncheck('#log-scale');
  await note.waitFor({ state: 'visible', timeout: 2_000 });
  // A run that does not diverge fits its axis whole.
  await page.selectOption('#learning-rate', '0.03');
  await page.click('#reset');
  await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 1, 5_000);
  await note.waitFor({ state: 'hidden', timeout: 2_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('an invalid edit is explained at its block, and the page and the run go on', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await setField(page, 'block-0-units', 0);
  const block = page.locator('.blocks > li').first();
  await block.locator('.problems li').filter({ hasText: 'model[0].units' }).waitFor({ timeout: 5_000 });
  assert.match(await block.getAttribute('class'), /invalid/);
  assert.match(await page.locator('#model-totals').textContent(), /Not applied/);
  // Training goes on with the last valid experiment.
  await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 1, 5_000);

  // A number field left empty is not a width.
  await setField(page, 'block-0-units', '');
  await block.locator('.problems li').filter({ hasText: 'whole number' }).waitFor({ timeout: 5_000 });
  await setField(page, 'block-0-units', 100000);
  await block.locator('.problems li').filter({ hasText: '4096' }).waitFor({ timeout: 5_000 });
  await setField(page, 'block-0-units', 6);
  await page.locator('#model-totals').filter({ hasText: 'parameters' }).waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('.block.invalid').count(), 0);

  // A dataset's own parameters are edited the same way, and explained the same way.
  await page.selectOption('#dataset', 'checkerboard');
  await setField(page, 'dataset-cells', 0);
  await page.locator('.data .problems li').filter({ hasText: 'cells' }).waitFor({ timeout: 5_000 });
  await setField(page, 'dataset-cells', 6);
  await page.locator('.data .problems li').first().waitFor({ state: 'detached', timeout: 5_000 });
  // Fourier features widen the input; a count out of range is explained, not applied.
  const shape = page.locator('.blocks > li .shape').first();
  await page.check('#feature-fourier');
  await shape.filter({ hasText: /^\[34\] →/ }).waitFor({ timeout: 5_000 });
  await setField(page, 'fourier-count', 5000);
  await page.locator('.data .problems li').filter({ hasText: 'data.fourier.count' }).waitFor({ timeout: 5_000 });
  await setField(page, 'fourier-count', 4);
  await shape.filter({ hasText: /^\[10\] →/ }).waitFor({ timeout: 5_000 });
  await page.uncheck('#feature-fourier');
  await shape.filter({ hasText: /^\[2\] →/ }).waitFor({ timeout: 5_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('digits with a mixture-of-experts block trains and its accuracy rises', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#dataset', 'digits');
  await page.click('#block-0-remove');
  await page.click('#block-0-remove');
  await page.selectOption('#palette', 'moe');
  await page.click('#add-block');
  await page.locator('.blocks > li[data-kind="moe"]').waitFor();
  await loaded(page);
  assert.equal(await page.locator('figure.surface.hidden').count(), 1, 'digits have no decision surface');
  await page.click('#play');
  const accuracy = await waitForNumber(page, '#test-accuracy', (a) => a > 85, 90_000);
  assert.ok(accuracy > 85);
  // The confusion matrix: ten classes, every test example counted once (899 of 1797 digits).
  assert.equal(await page.locator('#confusion tbody tr').count(), 10);
  const counts = (await page.locator('#confusion tbody td').allTextContents()).map(Number);
  assert.equal(counts.reduce((a, b) => a + b, 0), 899);
  await page.click('#play');
  // The data panel shows the first test digits; the output panel the model's answer for each.
  assert.equal(await page.locator('#digit-samples li').count(), 8);
  await page.locator('#sample-predictions li').nth(7).waitFor({ timeout: 5_000 });
  // Read at one moment (answers may still arrive as the pause lands): the heading counts the list.
  const shown = await page.evaluate(() => ({
    heading: document.querySelector('#samples-heading').textContent,
    right: document.querySelectorAll('#sample-predictions li.right').length,
  }));
  const right = Number(shown.heading.match(/^Sample predictions: (\d) of 8 right$/)[1]);
  assert.equal(shown.right, right);
  assert.ok(right >= 5, `${right} of 8 right at ${accuracy}% accuracy`);
  assert.match(await page.locator('#sample-predictions canvas').first().getAttribute('aria-label'), /^a \d, read as \d: (right|wrong)$/);
  // The router's load per expert, in percent, four experts.
  const load = await page.locator('#layer-table tbody tr', { hasText: 'moe' }).first().locator('td').last().textContent();
  assert.match(load, /^\d+% \d+% \d+% \d+%$/);
  await screenshot(page, 'digits-moe');
  assert.deepEqual(problems, []);
  await context.close();
});

test('training is operable from the keyboard and the page has no serious accessibility violations', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  const play = page.locator('#play');
  for (let i = 0; i < 15 && !(await play.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await play.evaluate((el) => el === document.activeElement), true, 'Tab reaches Play');
  await page.keyboard.press('Space');
  await waitForNumber(page, '#step-count', (s) => s > 100, 10_000);
  await page.keyboard.press('Space');
  await page.locator('#play[aria-pressed="false"]').waitFor({ timeout: 2_000 });
  assert.deepEqual(await seriousAccessibilityViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an image task shows the target beside the model picture with its PSNR, a sequence task its accuracy per position', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#dataset', 'image');
  await page.locator('section.images:not(.hidden)').waitFor({ timeout: 10_000 });
  await page.locator('#data-preview-image:not(.hidden)').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('#data-preview').isVisible(), false, 'no points to draw');
  await page.locator('#psnr').filter({ hasText: 'dB' }).waitFor({ timeout: 10_000 });
  const before = await canvasPicture(page, 'model-image');
  await page.click('#play');
  await waitForNumber(page, '#step-count', (s) => s > 500, 30_000);
  await page.click('#play');
  assert.notEqual(await canvasPicture(page, 'model-image'), before, 'the model paints as it learns');
  assert.match(await page.locator('#psnr').textContent(), /^\d+\.\d dB$/);
  await screenshot(page, 'image');

  // Copy: 8 tokens answered at 8 positions, through an embedding and attention.
  await page.selectOption('#dataset', 'copy');
  await page.click('#block-0-remove');
  await page.click('#block-0-remove');
  for (const kind of ['embed', 'attention']) {
    await page.selectOption('#palette', kind);
    await page.click('#add-block');
  }
  await page.locator('#model-totals').filter({ hasText: 'parameters' }).waitFor({ timeout: 5_000 });
  await page.click('#step');
  // Each valid edit above restarted the run (Loaded, then its progress); the step's progress
  // is the last message, so step 1 shown means the list below belongs to the final model.
  await waitForNumber(page, '#step-count', (s) => s === 1, 10_000);
  await page.locator('#per-position li').nth(7).waitFor({ timeout: 10_000 });
  // The data panel writes out examples: 8 tokens and 8 blanks, then the 8 tokens to answer.
  const written = await page.locator('#sequence-samples li').allTextContents();
  assert.equal(written.length, 3);
  for (const w of written) {
    const [input, answer] = w.split(' → ');
    assert.match(input, /^(\d ){8}(_ ){7}_$/);
    assert.equal(answer, input.split(' ').slice(0, 8).join(' '), 'copy answers with its input');
  }
  assert.equal(await page.locator('#per-position li').count(), 8);
  // The attention layer's maps: one per head (two), over the 16 tokens (8 and their blanks).
  await page.locator('#attention-1').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('canvas.attention').count(), 2);
  assert.match(await page.locator('#attention-0').getAttribute('aria-label'), /each of the 16 tokens/);
  // Each head's map saves as a PNG, like every picture of the page.
  await page.selectOption('#export-picture', 'attention-1');
  const download = page.waitForEvent('download');
  await page.click('#export-png');
  assert.equal((await download).suggestedFilename(), 'layerlab-attention-1.png');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a block dragged by its handle lands where it is dropped', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#palette', 'norm');
  await page.click('#add-block');
  const kinds = () => page.locator('.blocks > li').evaluateAll((items) => items.map((li) => li.dataset.kind));
  assert.deepEqual(await kinds(), ['dense', 'dense', 'norm']);
  await page.locator('#block-2-drag').dragTo(page.locator('.blocks > li').first());
  await page.waitForFunction(() => document.querySelector('.blocks > li')?.dataset.kind === 'norm', null, { timeout: 2_000 });
  assert.deepEqual(await kinds(), ['norm', 'dense', 'dense']);
  await page.locator('#block-0-heading').filter({ hasText: '1. norm' }).waitFor({ timeout: 2_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the layout fits from 1280×800 down to a phone, with nothing wider than the screen', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const { page, context, problems } = await open(browser, '', { viewport });
    await loaded(page);
    await page.click('#step');
    await waitForNumber(page, '#step-count', (s) => s === 1, 5_000);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a ${viewport.width} px screen`);
    for (const id of ['play', 'dataset', 'add-block', 'surface']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= viewport.width + 0.5, `#${id} lies within the screen: ${JSON.stringify(box)}`);
    }
    // Circle is no image task: its (empty) image pictures are not shown.
    assert.equal(await page.locator('section.images').isVisible(), false);
    if (viewport.width < 500) await screenshot(page, 'phone');
    assert.deepEqual(problems, []);
    await context.close();
  }
});
