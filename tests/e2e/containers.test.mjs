// Blocks inside blocks, through the page: ticked neighbours wrap in a residual, the blocks inside
// are edited, added to, moved and trained, the container unwraps; one block wraps in a parallel
// beside a copy; blocks that are not neighbours are refused with the reason. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, loaded, setField, seriousAccessibilityViolations } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

const heading = (page, id) => page.locator(`#${id}-heading`).textContent();

test('ticked blocks wrap in a residual, are edited inside it and unwrap; a parallel holds a block beside a copy', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  const totals = page.locator('#model-totals');
  const before = await totals.textContent();

  await page.check('#block-0-select');
  await page.check('#block-1-select');
  await page.click('#wrap-residual');
  await page.locator('#block-0-unwrap').waitFor({ timeout: 2_000 });
  assert.equal(await heading(page, 'block-0'), '1. residual');
  assert.equal(await heading(page, 'block-0-body-1'), '1.2. dense');
  assert.equal(await page.locator('.architecture > ol.blocks > li').count(), 1, 'one block at the top');
  assert.equal((await totals.textContent()).match(/(\d+) parameters/)[1], before.match(/(\d+) parameters/)[1]);

  // Inside: a field edited, a shape problem explained at the container, a block added and moved.
  await setField(page, 'block-0-body-0-units', 8);
  await totals.filter({ hasNotText: before.match(/\d+ parameters/)[0] }).waitFor({ timeout: 2_000 });
  await setField(page, 'block-0-body-1-units', 3);
  await page.locator('.architecture li.block.invalid .problems li', { hasText: "a residual's body must give back the shape it receives" })
    .waitFor({ timeout: 2_000 });
  await setField(page, 'block-0-body-1-units', 2);
  await totals.filter({ hasText: 'parameters' }).waitFor({ timeout: 2_000 });
  await page.selectOption('#palette', 'norm');
  await page.click('#block-0-body-add');
  assert.equal(await heading(page, 'block-0-body-2'), '1.3. norm');
  await page.click('#block-0-body-2-up');
  assert.equal(await heading(page, 'block-0-body-1'), '1.2. norm');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'block-0-body-1-up', 'focus follows the block');
  await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  assert.deepEqual(await seriousAccessibilityViolations(page), []);

  await page.click('#block-0-unwrap');
  assert.deepEqual(await page.locator('.architecture > ol.blocks > li > .block-head h3').allTextContents(), ['1. dense', '2. norm', '3. dense']);

  // One block in a parallel: it and a copy side by side.
  await page.check('#block-1-select');
  await page.click('#wrap-parallel');
  assert.equal(await heading(page, 'block-1-branch1-0'), '2.b2.1. norm');
  await page.check('#block-0-select');
  await page.check('#block-2-select');
  await page.click('#wrap-residual');
  assert.match(await page.locator('#wrap-message').textContent(), /only neighbouring blocks can be wrapped together/);
  assert.equal(await heading(page, 'block-0'), '1. dense', 'nothing changed');
  assert.deepEqual(problems, []);
  await context.close();
});
