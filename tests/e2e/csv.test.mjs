// The user's own CSV in the page: chosen, previewed, trained on; its target picked; a broken
// file explained by row and column with the kept file untouched. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, loaded, waitForNumber, seriousAccessibilityViolations } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

/** 200 points in two halves of the plane (x + y > 0 is class 1), from a fixed sequence. */
function blobs() {
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 * 4 - 2;
  };
  const rows = Array.from({ length: 200 }, () => {
    const [x, y] = [next(), next()];
    return `${x.toFixed(3)},${y.toFixed(3)},${x + y > 0 ? 1 : 0}`;
  });
  return `x,y,label\n${rows.join('\n')}\n`;
}

test('a bundled table shows its first rows; a CSV file is previewed and trained on, its target picked, and a broken one explained by row and column', async () => {
  const { page, context, problems } = await open(browser);
  await loaded(page);
  await page.selectOption('#dataset', 'iris');
  await page.locator('#table-samples tbody tr').nth(4).waitFor({ timeout: 5_000 });
  assert.deepEqual(await page.locator('#table-samples thead th').allTextContents(), ['x1', 'x2', 'x3', 'x4', 'class']);
  assert.match(await page.locator('#data-preview-caption').textContent(), /^\d+ training and \d+ test examples\.$/);
  await page.setInputFiles('#csv-file', { name: 'halves.csv', mimeType: 'text/csv', buffer: Buffer.from(blobs()) });
  await page.locator('#csv-summary').filter({ hasText: 'halves.csv: 200 rows of 3 columns.' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.inputValue('#dataset'), 'csv');
  assert.equal(await page.inputValue('#csv-target'), '2', 'the last column is the target');
  assert.match(await page.locator('#csv-task').textContent(), /classification into 2 classes/);
  assert.deepEqual(await page.locator('#csv-preview thead th').allTextContents(), ['x', 'y', 'label']);
  assert.equal(await page.locator('#csv-preview tbody tr').count(), 5);
  assert.deepEqual(await seriousAccessibilityViolations(page), []);

  await page.click('#play');
  await waitForNumber(page, '#test-accuracy', (a) => a >= 90, 30_000);
  await page.click('#play');
  await page.locator('#play[aria-pressed="false"]').waitFor({ timeout: 2_000 });

  // Another target: x from y and the label, a regression.
  await page.selectOption('#csv-target', '0');
  assert.match(await page.locator('#csv-task').textContent(), /regression/);
  await page.locator('#test-accuracy').filter({ hasText: '—' }).waitFor({ timeout: 5_000 });

  // A broken file is refused with the row and column; the kept file still trains.
  await page.setInputFiles('#csv-file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,label\n1,2,0\n3,oops,1\n') });
  await page.locator('#csv-problem').filter({
    hasText: 'broken.csv cannot be used: in `broken.csv`, row 3, column `y`: `oops` is not a number.',
  }).waitFor({ timeout: 10_000 });
  assert.match(await page.locator('#csv-summary').textContent(), /^halves\.csv/);
  await page.click('#step');
  await page.locator('#step-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bundled table is fetched when first picked; a failed or foreign fetch is explained and the run in place kept', async () => {
  const { page, context } = await open(browser);
  await loaded(page);
  // The page loaded without the data files: generated data needs none.
  const fetched = [];
  context.on('request', (r) => r.url().includes('/data/') && fetched.push(new URL(r.url()).pathname));
  // (what the server answers for data/wine_data.csv.zlib, what the page must say)
  const cases = [
    [{ status: 404, body: 'not found' }, /data\.dataset could not fetch data\/wine_data\.csv\.zlib.*the server answered 404/],
    [{ status: 200, body: '<!doctype html>' }, /data\.dataset data\/wine_data\.csv\.zlib is 15 bytes.*come from different builds \(reload the page\)/],
  ];
  for (const [answer, said] of cases) {
    await context.route('**/data/wine_data.csv.zlib', (route) => route.fulfill(answer));
    await page.selectOption('#dataset', 'wine');
    await page.locator('.architecture .problems li').filter({ hasText: said }).waitFor({ timeout: 10_000 });
    // The experiment in place still trains.
    const before = Number(await page.locator('#step-count').textContent());
    await page.click('#step');
    await waitForNumber(page, '#step-count', (s) => s === before + 1, 10_000);
    await context.unroute('**/data/wine_data.csv.zlib');
    await page.selectOption('#dataset', 'circle');
    await loaded(page);
  }
  // Served as built, the file arrives, the problem goes and the table trains.
  await page.selectOption('#dataset', 'wine');
  await page.locator('#table-samples thead th').nth(13).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.architecture .problems li').count(), 0);
  await page.click('#play');
  await waitForNumber(page, '#test-accuracy', (a) => a >= 80, 30_000);
  // Only the wine file was asked for: three times (two refused answers, then the file).
  assert.deepEqual(fetched, Array(3).fill('/data/wine_data.csv.zlib'));
  await context.close();
});
