// The rest of the recipe, through the page: a schedule and its settings (an out-of-range one
// explained, not applied), the run's length, a stop condition that ends the run by itself, and
// new data with the same initial weights. Run by `cargo xtask test`.
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

test('a schedule with its settings, a stop condition that ends the run, and new data from the same weights', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  // Folded until asked for, from the keyboard too.
  assert.equal(await page.locator('#schedule').isVisible(), false);
  await page.locator('#recipe summary').focus();
  await page.keyboard.press('Enter');
  await page.locator('#schedule').waitFor({ state: 'visible', timeout: 2_000 });

  // A schedule brings its own settings; a factor above 1 is explained and not applied.
  await page.selectOption('#schedule', 'step');
  await page.locator('#schedule-factor').waitFor({ timeout: 2_000 });
  await setField(page, 'schedule-factor', 2);
  const recipeProblems = page.locator('#recipe .problems li');
  await recipeProblems.first().waitFor({ timeout: 2_000 });
  assert.match(await recipeProblems.first().textContent(), /training\.schedule\.factor/);
  await setField(page, 'schedule-factor', 0.5);
  await recipeProblems.first().waitFor({ state: 'detached', timeout: 2_000 });
  // Adam's own settings are there, the learning rate (on the bar) is not.
  assert.ok(await page.locator('#optimizer-beta1').isVisible());
  assert.equal(await page.locator('#optimizer-learning_rate').count(), 0);

  // Stop once the training loss is below 0.3: the run ends by itself and says why.
  await page.selectOption('#stop', 'loss_below');
  await setField(page, 'stop-value', 0.3);
  await page.click('#play');
  await page.locator('#run-stopped').filter({ hasText: 'the stop condition holds' }).waitFor({ timeout: 60_000 });
  await page.locator('#play[aria-pressed="false"]').waitFor({ timeout: 2_000 });
  assert.ok((await shownNumber(page, '#train-loss')) < 0.3);
  const stoppedAt = await shownNumber(page, '#step-count');
  assert.ok(stoppedAt > 0);
  await screenshot(page, 'recipe');

  // A length of 10 steps: the next run finishes there.
  await page.selectOption('#stop', 'never');
  await setField(page, 'length', 10);
  await page.click('#reset');
  await waitForNumber(page, '#step-count', (s) => s === 0, 5_000);
  await page.click('#play');
  await page.locator('#run-stopped').filter({ hasText: 'all 10 steps' }).waitFor({ timeout: 10_000 });
  assert.equal(await shownNumber(page, '#step-count'), 10);

  // New data: other points, the run back at step 0 with the same initial weights (so the same
  // picture of the untrained network's first unit).
  await page.click('#reset');
  await waitForNumber(page, '#step-count', (s) => s === 0, 5_000);
  const points = await canvasPicture(page, 'surface');
  const unit = await canvasPicture(page, 'neuron-0-0');
  await page.click('#new-data');
  await page.waitForFunction((before) => {
    const canvas = document.getElementById('surface');
    return canvas && canvas.toDataURL() !== before;
  }, points, { timeout: 5_000 });
  assert.equal(await shownNumber(page, '#step-count'), 0);
  assert.equal(await canvasPicture(page, 'neuron-0-0'), unit, 'the same initial weights');

  assert.deepEqual(await seriousAccessibilityViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a speed limit slows training down to watch it, and full speed lifts it', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#speed', '10');
  const started = Date.now();
  await page.click('#play');
  await waitForNumber(page, '#step-count', (s) => s >= 3, 5_000);
  await page.waitForTimeout(1_000);
  const steps = await shownNumber(page, '#step-count');
  const seconds = (Date.now() - started) / 1000;
  // Ten a second, the first at once: never more, however fast this machine is.
  assert.ok(steps <= 10 * seconds + 2, `${steps} steps in ${seconds.toFixed(2)} s at 10 a second`);
  await page.selectOption('#speed', 'full');
  await waitForNumber(page, '#step-count', (s) => s > steps + 1000, 10_000);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the layer similarity switches on mid-run and shows every pair of layers, each layer alike to itself', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  for (let i = 0; i < 3; i++) await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 3, 5_000);
  assert.equal(await page.locator('#similarity').count(), 0, 'off unless asked for');
  await page.check('#similarity-on');
  await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 4, 5_000); // the run went on
  const table = page.locator('#similarity');
  await table.waitFor({ timeout: 5_000 });
  // The page's opening network: two hidden layers and the output.
  assert.deepEqual(await table.locator('tbody th').allTextContents(), ['model[0]', 'model[1]', 'output']);
  for (const i of [0, 1, 2]) {
    assert.equal(await table.locator('tbody tr').nth(i).locator('td').nth(i).textContent(), '1.00');
  }
  assert.match(await table.locator('caption').textContent(), /at step 4/);
  assert.deepEqual(await seriousAccessibilityViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
