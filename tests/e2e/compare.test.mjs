// Presets and comparison in the page: a preset runs its experiments side by side, each in a
// worker of its own, and its effect shows in the table's numbers; the playground's experiment
// can join a comparison, and a run of it can be opened in the playground. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, loaded, canvasPicture, seriousAccessibilityViolations } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

/** The table's cells, row by row. */
async function table(page) {
  return page.locator('#compare-table tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim())));
}

test('the vanishing-gradients preset runs both networks side by side and shows the plain one stuck at chance', async () => {
  const { page, problems } = await open(browser);
  await loaded(page);
  const blank = await canvasPicture(page, 'compare-chart');
  await page.selectOption('#preset', 'vanishing_gradients');
  await page.locator('#preset-about cite').filter({ hasText: 'Deep Residual Learning for Image Recognition' }).waitFor();
  await page.click('#run-preset');
  await page.locator('#compare-table tbody tr').nth(1).waitFor({ timeout: 10_000 });
  // Both runs end by themselves at their length (1,500 steps).
  await page.waitForFunction(() => [...document.querySelectorAll('#compare-table .compare-state')]
    .every((c) => c.textContent.startsWith('Training finished')), null, { timeout: 120_000 });
  const [plain, residual] = await table(page);
  assert.equal(plain[0], 'plain: 12 sigmoid layers');
  assert.equal(plain[3], '1,500 of 1,500');
  assert.equal(plain[1], residual[1], 'the same parameters');
  const accuracy = (row) => Number(row[6].replace('% accuracy', ''));
  assert.ok(accuracy(plain) <= 60, `plain: ${plain[6]}`);
  assert.ok(accuracy(residual) >= 95, `residual: ${residual[6]}`);
  assert.notEqual(await canvasPicture(page, 'compare-chart'), blank, 'the curves are drawn');
  assert.match(await page.getAttribute('#compare-chart', 'aria-label'), /^Test loss of each run over the steps: plain: 12 sigmoid layers; residual/);

  // A run opens in the playground.
  await page.click('#compare-open-1');
  await page.locator('section.architecture').filter({ hasText: /residual/i }).waitFor({ timeout: 5_000 });
  assert.deepEqual(await seriousAccessibilityViolations(page), []);
  assert.deepEqual(problems, []);
});

test('the playground\'s experiment joins a comparison of at most four, and a removed run leaves', async () => {
  const { page, problems } = await open(browser);
  await loaded(page);
  for (let i = 0; i < 4; i++) await page.click('#compare-add');
  assert.equal(await page.locator('#compare-table tbody tr').count(), 4);
  await page.click('#compare-add');
  await page.locator('#compare-message').filter({ hasText: 'Not added: a comparison holds at most 4 runs: remove one first.' }).waitFor();
  await page.click('#compare-remove-3');
  await page.click('#compare-remove-2');
  assert.equal(await page.locator('#compare-table tbody tr').count(), 2);
  await page.click('#compare-run');
  await page.waitForFunction(() => [...document.querySelectorAll('#compare-table .compare-state')]
    .every((c) => c.textContent === 'training' || c.textContent.startsWith('Training')), null, { timeout: 30_000 });
  await page.click('#compare-stop');
  const rows = await table(page);
  assert.equal(rows[0][1], rows[1][1], 'the same experiment twice');
  assert.deepEqual(problems, []);
});

test('a diverging run in a comparison on a linear axis: the axis stops short of its peak and says so', async () => {
  const { page, problems } = await open(browser);
  await loaded(page);
  // The playground's experiment made to diverge (a plane regression at learning rate 10) joins
  // a comparison beside a calm one (at 0.03).
  await page.selectOption('#dataset', 'plane');
  await page.selectOption('#learning-rate', '10');
  await page.click('#compare-add');
  await page.selectOption('#learning-rate', '0.03');
  await page.click('#compare-add');
  const note = page.locator('#compare-cut');
  await page.uncheck('#compare-log');
  await page.click('#compare-run');
  await note.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await note.textContent(), /^Values above [\d.]+ \(over 10 times where they started\) are drawn along the top edge/);
  assert.ok((await page.locator('#compare-chart').getAttribute('aria-label')).endsWith(await note.textContent()));
  // On the log scale, and for the accuracy, every value fits.
  await page.check('#compare-log');
  await note.waitFor({ state: 'hidden', timeout: 2_000 });
  await page.uncheck('#compare-log');
  await note.waitFor({ state: 'visible', timeout: 2_000 });
  await page.selectOption('#compare-curve', 'test_accuracy');
  await note.waitFor({ state: 'hidden', timeout: 2_000 });
  await page.click('#compare-stop');
  assert.deepEqual(problems, []);
});
