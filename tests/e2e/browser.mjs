// One helper for every browser spec: launch Debian's Chromium (never a downloaded browser)
// with or without WebGPU, open the served page, and record everything that went wrong on it.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';

const BASE = process.env.LAYERLAB_URL;
if (!BASE) throw new Error('LAYERLAB_URL is not set: run these specs through `cargo xtask test`');

const FLAGS = (process.env.CHROMIUM_FLAGS ?? '--no-sandbox --enable-unsafe-webgpu')
  .split(' ')
  .filter((f) => f && f !== '--headless');

/** Launches Chromium; `webgpu: false` leaves out --enable-unsafe-webgpu, so no adapter exists. */
export async function launch({ webgpu }) {
  const args = FLAGS.filter((f) => webgpu || f !== '--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args });
}

/**
 * Opens `path` (relative to the served root) in a fresh context and waits for the worker to
 * answer. `problems` collects console errors, uncaught page errors and failed requests.
 * `before(context)`, if given, runs before the page opens (to route its requests).
 */
export async function open(browser, path = '', { waitForWorker = true, viewport, before } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  if (before) await before(context);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(new URL(path, BASE).href);
  if (waitForWorker) await workerReady(page);
  return { page, context, problems };
}

/** Waits until the worker has answered its first ping, and returns the status text. */
export async function workerReady(page) {
  const status = page.locator('#worker-status');
  await status.filter({ hasText: /ready \(ping [\d.]+ ms\)/ }).waitFor({ timeout: 30_000 });
  return status.textContent();
}

/** Waits until the backend label is no longer "detecting…" and returns it. */
export async function backendLabel(page) {
  const label = page.locator('#backend-label');
  await label.filter({ hasNotText: 'detecting' }).waitFor({ timeout: 30_000 });
  return (await label.textContent()).trim();
}

/** Saves a screenshot for the README under $LAYERLAB_SCREENSHOTS (target/screenshots). */
export async function screenshot(page, name) {
  const dir = process.env.LAYERLAB_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** What a canvas shows now, as a data URL: two calls differ when the picture changed. */
export function canvasPicture(page, id) {
  return page.locator(`#${id}`).evaluate((canvas) => canvas.toDataURL());
}

/** The number shown in `selector` (a loss, a percentage, a step count with commas). */
export async function shownNumber(page, selector) {
  const text = (await page.locator(selector).textContent()).replace(/[,%]/g, '').trim();
  return Number(text);
}

/** Waits until the number in `selector` satisfies `ok`, returning it; fails with the last value. */
export async function waitForNumber(page, selector, ok, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let value;
  while (Date.now() < deadline) {
    value = await shownNumber(page, selector);
    if (ok(value)) return value;
    await page.waitForTimeout(100);
  }
  throw new Error(`${selector} still shows ${value} after ${timeout} ms`);
}

/** Runs axe-core (from npm) on the page; returns its serious and critical violations. */
export async function seriousAccessibilityViolations(page) {
  const axe = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));
  await page.addScriptTag({ path: axe });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** Sets a field the way a person does: type the value, then press Enter. */
export async function setField(page, id, value) {
  const input = page.locator(`#${id}`);
  await input.fill(String(value));
  await input.press('Enter');
}

/** Waits until the first loaded run reports its step 0 (the worker built it). */
export async function loaded(page) {
  await page.locator('#test-loss').filter({ hasNotText: '—' }).waitFor({ timeout: 30_000 });
}
