// The learning rules through the page: each explained with its paper, the memory a step of the
// run holds as the engine counts it (less for a layer-by-layer rule), Forward-Forward's
// threshold as a field (an out-of-range one explained), a Forward-Forward run that learns, and
// a rule the architecture cannot take refused at the block that stops it. Run by
// `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, loaded, setField, waitForNumber, seriousAccessibilityViolations } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

/** The activations' share of the step's memory, in bytes, from the sentence the page shows. */
async function activationBytes(page) {
  const text = await page.locator('#rule-memory').textContent();
  const match = text.match(/activations ([\d.]+) (KiB|MiB)/);
  assert.ok(match, `no activations in "${text}"`);
  return Number(match[1]) * (match[2] === 'KiB' ? 1024 : 1048576);
}

/** Waits until the memory sentence names activations other than `bytes` (a new run's). */
async function activationsChange(page, bytes) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const now = await activationBytes(page);
    if (now !== bytes) return now;
    await page.waitForTimeout(100);
  }
  assert.fail(`the activations stayed at ${bytes} bytes`);
}

test('every rule is explained with its paper, and the step memory follows the rule', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  const about = page.locator('#rule-about');
  assert.match(await about.textContent(), /Learning representations by back-propagating errors/);
  await page.locator('#rule-memory').filter({ hasText: /^A training step of this run holds/ }).waitFor({ timeout: 5_000 });
  const backprop = await activationBytes(page);

  // Mono-Forward: its paper, and a run whose step holds one layer's activations at a time.
  await page.selectOption('#rule', 'mono_forward');
  await about.filter({ hasText: 'Mono-Forward: Backpropagation-Free Algorithm' }).waitFor({ timeout: 2_000 });
  const mono = await activationsChange(page, backprop);
  assert.ok(mono < backprop, `Mono-Forward holds ${mono} bytes of activations, backprop ${backprop}`);

  // Forward-Forward brings its threshold; 0 is out of range and explained, not applied.
  assert.equal(await page.locator('#rule-threshold').count(), 0);
  await page.selectOption('#rule', 'forward_forward');
  await about.filter({ hasText: 'The Forward-Forward Algorithm' }).waitFor({ timeout: 2_000 });
  await page.locator('#rule-threshold').waitFor({ timeout: 2_000 });
  // Tanh outputs cannot reach the usual goodness threshold of 2 (their mean square stays below
  // 1), so the page starts at 0.5; 2 is refused with the reason, 0 is out of range.
  assert.equal(await page.locator('#rule-threshold').inputValue(), '0.5');
  await setField(page, 'rule-threshold', 2);
  const refusal = page.locator('.architecture .problems li').filter({ hasText: 'out of reach of model[0]' });
  await refusal.waitFor({ timeout: 10_000 });
  await setField(page, 'rule-threshold', 0);
  await page.locator('#recipe summary').click();
  await page.locator('#recipe .problems li').filter({ hasText: 'training.rule.threshold' }).waitFor({ timeout: 5_000 });
  await setField(page, 'rule-threshold', 0.5);
  await page.locator('#recipe .problems li').first().waitFor({ state: 'detached', timeout: 5_000 });
  await refusal.waitFor({ state: 'detached', timeout: 10_000 });
  await page.click('#play');
  const accuracy = await waitForNumber(page, '#test-accuracy', (a) => a >= 70, 60_000);
  assert.ok(accuracy >= 70, `Forward-Forward on the circle: ${accuracy}%`);
  await page.click('#play');

  assert.deepEqual(await seriousAccessibilityViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('feedback alignment trains a norm block; Forward-Forward refuses it at that block, and backprop trains it again', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#palette', 'norm');
  await page.click('#add-block');
  // Feedback alignment trains any block that keeps one vector per example, a norm block too.
  await page.selectOption('#rule', 'feedback_alignment');
  await waitForNumber(page, '#step-count', (s) => s === 0, 10_000);
  await page.click('#step');
  await waitForNumber(page, '#step-count', (s) => s === 1, 10_000);
  assert.equal(await page.locator('.architecture .problems li').count(), 0);
  // Forward-Forward runs its own forward pass through dense layers only.
  await page.selectOption('#rule', 'forward_forward');
  const refusal = page.locator('.architecture .problems li').filter({ hasText: 'trains stacks of dense layers only' });
  await refusal.waitFor({ timeout: 10_000 });
  assert.match(await refusal.textContent(), /model\[2\] is a norm block, but Forward-Forward/);
  await page.selectOption('#rule', 'backprop');
  await refusal.waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepEqual(problems, []);
  await context.close();
});
