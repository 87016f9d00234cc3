// The page's responsiveness for `cargo xtask bench`: how long a fresh load takes to become
// interactive (from navigation start until the worker has loaded the experiment and the first
// loss is shown, which is when every control answers), then, while the digits MLP
// (64-256-256-10) trains at full speed in the worker, its frame times (requestAnimationFrame
// deltas over BENCH_FRAMES_MS, 5 s by default) and how long a click on Pause takes to take
// effect. Prints one JSON line. Not a test: timings on a shared machine are reported, never asserted.
import { launch, open, waitForNumber } from '../browser.mjs';

const browser = await launch({ webgpu: false });
// A first load warms Chromium's caches of compiled code as a returning visitor's would not
// have: time the second, in a fresh context (no HTTP cache), and the first for the record.
// The second load also records the path of every request until then, the worker's included.
const interactive = [];
const loaded = [];
const record = (context) => context.on('request', (r) => loaded.push(new URL(r.url()).pathname));
for (let i = 0; i < 2; i++) {
  const before = i === 1 ? record : undefined;
  const { page: first, context: firstContext } = await open(browser, '', { waitForWorker: false, before });
  await first.waitForFunction(() => {
    const loss = document.querySelector('#test-loss');
    return loss && loss.textContent.trim() !== '—' && loss.textContent.trim() !== '';
  }, null, { timeout: 30_000, polling: 'raf' });
  interactive.push(await first.evaluate(() => performance.now()));
  if (i === 1) firstContext.removeAllListeners('request');
  await firstContext.close();
}
// What a browser that trains on WebGPU fetches until interactive: the GPU's WGSL files besides.
const loadedWebGpu = [];
{
  const gpuBrowser = await launch({ webgpu: true });
  const before = (context) => context.on('request', (r) => loadedWebGpu.push(new URL(r.url()).pathname));
  const { page: gpuPage, context: gpuContext } = await open(gpuBrowser, '?backend=webgpu', { before });
  await gpuPage.locator('#test-loss').filter({ hasNotText: '—' }).waitFor({ timeout: 60_000 });
  gpuContext.removeAllListeners('request');
  await gpuBrowser.close();
}

const { page, context } = await open(browser);
await page.locator('#test-loss').filter({ hasNotText: '—' }).waitFor({ timeout: 30_000 });
await page.selectOption('#dataset', 'digits');
for (const i of [0, 1]) {
  const input = page.locator(`#block-${i}-units`);
  await input.fill('256');
  await input.press('Enter');
}
await page.locator('#model-totals').filter({ hasText: '85,002 parameters' }).waitFor({ timeout: 10_000 });
await page.click('#play');
await waitForNumber(page, '#step-count', (s) => s > 200, 60_000);

// Frame times over FRAMES_MS of training.
const FRAMES_MS = Number(process.env.BENCH_FRAMES_MS ?? 5000);
const frames = await page.evaluate(
  (FRAMES_MS) =>
    new Promise((resolve) => {
      const deltas = [];
      let last = performance.now();
      const end = last + FRAMES_MS;
      const tick = (now) => {
        deltas.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else resolve(deltas);
      };
      requestAnimationFrame(tick);
    }),
  FRAMES_MS,
);
const sorted = [...frames].sort((a, b) => a - b);
const quantile = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const stepsPerSecond = Number((await page.locator('#steps-per-second').textContent()).replace(/,/g, ''));

// Pause: from the click to the moment the page shows training stopped (the worker's answer).
const pauses = [];
for (let i = 0; i < 5; i++) {
  if ((await page.locator('#play').getAttribute('aria-pressed')) !== 'true') {
    await page.click('#play');
    await page.locator('#play[aria-pressed="true"]').waitFor();
    await page.waitForTimeout(300);
  }
  pauses.push(
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const button = document.getElementById('play');
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (button.getAttribute('aria-pressed') === 'false') {
              observer.disconnect();
              resolve(performance.now() - start);
            }
          });
          observer.observe(button, { attributes: true });
          button.click();
        }),
    ),
  );
}
pauses.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    interactive_ms: interactive[1],
    loaded: [...new Set(loaded)],
    loaded_webgpu: [...new Set(loadedWebGpu)],
    interactive_first_ms: interactive[0],
    frames: frames.length,
    frame_p50_ms: quantile(0.5),
    frame_p95_ms: quantile(0.95),
    frame_max_ms: sorted[sorted.length - 1],
    pause_median_ms: pauses[2],
    pause_max_ms: pauses[4],
    steps_per_second: stepsPerSecond,
  }),
);
await context.close();
await browser.close();
