// Links that reproduce: share a changed experiment and get the same spec and, on the CPU, the
// same losses at step 100 in a fresh browser; twenty malformed links each explained in a banner
// with the page working and the autosave untouched; reload restores; saved experiments; classroom
// and embedded links. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import {
  launch, open, loaded, setField, canvasPicture, workerReady, screenshot, seriousAccessibilityViolations,
} from './browser.mjs';

const AUTOSAVE = 'layerlab.experiment';

let browser;
before(async () => {
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser?.close();
});

/** A link fragment carrying `json` (text) the way LayerLab packs one: raw deflate, base64url. */
function packed(json) {
  return `v1.${deflateRawSync(Buffer.from(json)).toString('base64url')}`;
}

/** Trains to the run's end (its length) and returns what the page shows of the result. */
async function trainToEnd(page, steps) {
  await page.click('#play');
  await page.locator('#run-stopped').filter({ hasText: `all ${steps} steps` }).waitFor({ timeout: 60_000 });
  return {
    step: await page.locator('#step-count').textContent(),
    train: await page.locator('#train-loss').textContent(),
    test: await page.locator('#test-loss').textContent(),
    surface: await canvasPicture(page, 'surface'),
  };
}

test('a shared link opens the same experiment in a fresh browser, with the same loss curve on the CPU', async () => {
  const { page, context, problems } = await open(browser, '?backend=cpu');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await loaded(page);
  await page.selectOption('#dataset', 'spiral');
  await page.click('#add-block');
  await setField(page, 'block-0-units', 8);
  await page.selectOption('#learning-rate', '0.1');
  await setField(page, 'seed', 42);
  await page.locator('#recipe summary').click();
  await setField(page, 'length', 100);
  const here = await trainToEnd(page, 100);
  assert.equal(here.step, '100');

  // The run exports: its curves and layer metrics as CSV, its pictures as PNG.
  const downloaded = async (click, on = page) => {
    const download = on.waitForEvent('download');
    await click();
    return readFile(await (await download).path());
  };
  const metrics = (await downloaded(() => page.click('#export-metrics'))).toString().trim().split('\n');
  assert.equal(metrics[0], 'step,train_loss,test_loss,test_accuracy');
  const last = metrics.at(-1).split(',');
  assert.equal(last[0], '100');
  assert.equal(Number(last[2]).toFixed(4), here.test, 'the CSV holds the test loss the page shows');
  const layers = (await downloaded(() => page.click('#export-layers'))).toString().trim().split('\n');
  assert.match(layers[0], /^step,layer,kind,width,effective_rank/);
  assert.ok(layers.some((l) => /^\d+,model\[0\],dense,8,/.test(l)), layers.slice(-3).join(' | '));
  assert.equal(new Set(layers.slice(1).map((l) => l.split(',')[1])).size, 4, 'every layer has its rows');
  await page.selectOption('#export-picture', 'surface');
  const png = await downloaded(() => page.click('#export-png'));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  await page.selectOption('#export-picture', 'model-image');
  await page.click('#export-png');
  await page.locator('#export-status').filter({ hasText: 'not downloaded: this experiment does not show that picture' }).waitFor();

  await page.locator('#share summary').click();
  const link = await page.inputValue('#share-link');
  assert.match(link, /\?backend=cpu#v2\.[\w-]+$/);
  assert.equal(new URL(link).hash, await page.evaluate(() => location.hash), 'the address holds the experiment');
  await page.click('#copy-link');
  await page.locator('#share-status').filter({ hasText: 'Copied to the clipboard.' }).waitFor({ timeout: 5_000 });
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

  const there = await open(browser, link);
  await loaded(there.page);
  assert.equal(await there.page.evaluate(() => location.hash), new URL(link).hash, 'the same spec, encoded the same');
  assert.equal(await there.page.inputValue('#seed'), '42');
  assert.equal(await there.page.inputValue('#dataset'), 'spiral');
  assert.equal(await there.page.inputValue('#block-0-units'), '8');
  const reproduced = await trainToEnd(there.page, 100);
  assert.deepEqual(
    { ...reproduced, surface: reproduced.surface === here.surface },
    { ...here, surface: true },
    'the same losses and the same decision surface at step 100',
  );
  // The same curve: the page keeps the steps its progress messages reported, which depend on
  // timing, so the two curves are compared at every step both kept (step 0 and 100 among them).
  const curve = (lines) => new Map(lines.slice(1).map((l) => [l.split(',')[0], l]));
  const mine = curve(metrics);
  const theirs = curve((await downloaded(() => there.page.click('#export-metrics'), there.page)).toString().trim().split('\n'));
  const shared = [...mine.keys()].filter((step) => theirs.has(step));
  assert.ok(shared.includes('0') && shared.includes('100'), shared.join(' '));
  for (const step of shared) assert.equal(theirs.get(step), mine.get(step), `step ${step}`);
  assert.deepEqual([...problems, ...there.problems], []);
  await there.context.close();
  await context.close();
});

test('twenty malformed links: a banner each time, the page working, the autosave untouched', async () => {
  const { page, context, problems } = await open(browser, '?backend=cpu');
  await loaded(page);
  const dialogs = [];
  context.on('page', (p) => p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); }));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await setField(page, 'seed', 7);
  await page.waitForFunction((key) => localStorage.getItem(key) === location.hash.slice(1), AUTOSAVE);
  const saved = await page.evaluate((key) => localStorage.getItem(key), AUTOSAVE);
  const good = saved;
  const spec = (json) => packed(JSON.stringify(json));
  const dense = (units) => ({ dense: { units } });
  let nested = [dense(4)];
  for (let i = 0; i < 40; i++) nested = [{ residual: { body: nested } }];
  // [fragment, a phrase the banner must say]
  const links = [
    ['v1.', 'is damaged'],
    [good.slice(0, Math.floor(good.length / 2)), 'is damaged'],
    [`v1.${'A'.repeat(40)}`, 'is damaged'],
    [`v3.${good.slice(3)}`, 'made by a newer LayerLab'],
    [`v0.${good.slice(3)}`, 'unknown version tag'],
    ['hello', "should start with 'v2.'"],
    ['<script>alert(1)</script>', 'not a LayerLab link'],
    ['javascript:alert(1)', 'not a LayerLab link'],
    ['v1.<img src=x onerror=alert(1)>', 'not base64url'],
    [`v1.${'A'.repeat(20_000)}`, 'beyond the limit of 16384'],
    [spec({ model: [dense(1_000_000_000)] }), 'model[0].units'],
    [spec({ model: [dense(0)] }), 'model[0].units'],
    [spec({ model: Array.from({ length: 500 }, () => dense(2)) }), 'model'],
    [spec({ model: nested }), 'model'],
    [spec({ model: [{ conv: { filters: 3 } }] }), 'model[0]'],
    [spec({ training: { batch_size: 0 } }), 'training.batch_size'],
    [spec({ seed: 'abc' }), 'seed'],
    [packed('this is not json'), 'is not valid'],
    [packed(' '.repeat(300_000)), 'unpacks to more than'],
    ['%E2%82%AC%F0%9F%98%80', 'not a LayerLab link'],
  ];
  assert.equal(links.length, 20);
  const base = new URL('?backend=cpu', process.env.LAYERLAB_URL).href;
  for (const [i, [fragment, phrase]] of links.entries()) {
    // Half open in a new tab, half are typed into the address of a page already open.
    const fresh = i % 2 === 0;
    const tab = fresh ? await context.newPage() : page;
    if (fresh) {
      await tab.goto(`${base}#${fragment}`);
      await workerReady(tab);
    } else {
      await tab.evaluate((f) => { location.hash = f; }, fragment);
    }
    const banner = tab.locator('#link-problem[role="alert"]');
    await banner.waitFor({ timeout: 5_000 });
    const said = await tab.locator('#link-problem-text').textContent();
    assert.ok(said.includes(phrase), `link ${i}: "${said}" should say "${phrase}"`);
    assert.match(said, fresh ? /starting experiment is open instead/ : /on the page is unchanged/);
    const address = await tab.evaluate(() => location.hash.slice(1));
    assert.equal(await tab.inputValue('#bad-link'), address, `link ${i} is kept to fix`);
    assert.ok(address.length > 0, `link ${i} stays in the address`);
    // The page works: the experiment on it is valid and a step trains.
    assert.equal(await tab.inputValue('#seed'), fresh ? '1' : '7');
    await tab.locator('#model-totals').filter({ hasText: 'parameters' }).waitFor({ timeout: 5_000 });
    if (i === 0) {
      await tab.click('#step');
      await tab.locator('#step-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    }
    assert.equal(await tab.evaluate((key) => localStorage.getItem(key), AUTOSAVE), saved, `link ${i} left the autosave`);
    if (fresh) await tab.close();
    else await tab.click('#dismiss-link-problem');
  }
  assert.deepEqual(dialogs, [], 'nothing in a link ran');

  // Fixing the link in the banner opens it; the last experiment is one click away.
  const tab = await context.newPage();
  await tab.goto(`${base}#${good.slice(0, 20)}`);
  await workerReady(tab);
  await tab.locator('#restore-autosave').click();
  await tab.locator('#link-problem').waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await tab.inputValue('#seed'), '7');
  await tab.goto(`${base}#${good.slice(0, 20)}`);
  await tab.fill('#bad-link', good);
  await tab.click('#open-fixed-link');
  await tab.locator('#link-problem').waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await tab.inputValue('#seed'), '7');
  assert.deepEqual(await seriousAccessibilityViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('reloading restores the experiment, saved experiments round-trip through a file, classroom and embedded links hide parts', async () => {
  const { page, context, problems } = await open(browser, '?backend=cpu');
  await loaded(page);
  await page.selectOption('#dataset', 'xor');
  await setField(page, 'seed', 9);
  await page.waitForFunction((key) => localStorage.getItem(key) === location.hash.slice(1), AUTOSAVE);
  await page.goto(new URL('?backend=cpu', process.env.LAYERLAB_URL).href); // no link: the autosave
  await workerReady(page);
  assert.equal(await page.inputValue('#dataset'), 'xor');
  assert.equal(await page.inputValue('#seed'), '9');
  assert.match(await page.evaluate(() => location.hash), /^#v2\./, 'the address holds it again');

  // Save it, change the page, open it back; rename; delete and undo; export and import.
  await page.locator('#library summary').click();
  await page.fill('#save-name', 'xor seed 9');
  await page.click('#save-experiment');
  await page.locator('#library-status').filter({ hasText: "Saved as 'xor seed 9'." }).waitFor();
  await setField(page, 'seed', 10);
  await page.click('#saved-list .open-saved');
  assert.equal(await page.inputValue('#seed'), '9');
  await page.fill('#saved-list .saved-name', 'renamed');
  await page.press('#saved-list .saved-name', 'Enter');
  await page.waitForFunction(() => localStorage.getItem('layerlab.saved')?.includes('"renamed"'));
  const download = page.waitForEvent('download');
  await page.click('#export-saved');
  const file = await (await download).path();
  await page.click('#saved-list .delete-saved');
  assert.equal(await page.locator('#saved-list li').count(), 0);
  await page.click('#undo-delete');
  assert.equal(await page.locator('#saved-list li').count(), 1);
  await page.setInputFiles('#import-file', file);
  await page.locator('#library-status').filter({ hasText: 'Imported 1 experiment from' }).waitFor();
  assert.deepEqual(await page.locator('#saved-list .saved-name').evaluateAll((l) => l.map((e) => e.value)), ['renamed', 'renamed (2)']);
  await page.setInputFiles('#import-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"model": 3}') });
  await page.locator('#library-status').filter({ hasText: 'Not imported: broken.json is not a valid spec: model' }).waitFor();
  await page.reload();
  await workerReady(page);
  await page.locator('#library summary').click();
  assert.equal(await page.locator('#saved-list li').count(), 2, 'the list is kept in this browser');

  // A classroom link hides the seed and the learning rule; an embedded one shows only the output.
  await page.locator('#share summary').click();
  await page.check('#hide-seed');
  await page.check('#hide-rule');
  const classroom = await page.inputValue('#share-link');
  assert.match(classroom, /hide=rule%2Cseed#v2\./);
  const student = await open(browser, classroom);
  assert.equal(await student.page.locator('#seed').isVisible(), false);
  assert.equal(await student.page.locator('#rule').isVisible(), false);
  assert.ok(await student.page.locator('#learning-rate').isVisible());
  await page.uncheck('#hide-seed');
  await page.uncheck('#hide-rule');
  await page.check('#embed-output');
  assert.match(await page.inputValue('#embed-code'), /^<iframe src="[^"]*embed=output#v2\.[^"]*" title="LayerLab experiment"/);
  const embedded = await open(browser, await page.inputValue('#share-link'), { waitForWorker: false });
  await embedded.page.locator('#worker-status[data-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
  for (const id of ['#dataset', '#play', '#palette', '#share']) {
    assert.equal(await embedded.page.locator(id).isVisible(), false, `${id} is hidden when embedded`);
  }
  await embedded.page.locator('#surface').waitFor({ state: 'visible', timeout: 10_000 }); // once the run is built
  await screenshot(page, 'share');
  assert.deepEqual([...problems, ...student.problems, ...embedded.problems], []);
  await Promise.all([student.context.close(), embedded.context.close(), context.close()]);
});
