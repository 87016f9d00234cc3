// The page's responsiveness while a network trains at full speed, for `cargo xtask bench`:
// the digits MLP (64-256-256-10) trains in the worker while the page records its frame times
// (requestAnimationFrame deltas) and how long a click on Pause takes to take effect.
// Prints one JSON line. Not a test: timings on a shared machine are reported, never asserted.
import { launch, open, waitForNumber } from '../browser.mjs';

const browser = await launch({ webgpu: false });
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

// Frame times over 5 s of training.
const frames = await page.evaluate(
  () =>
    new Promise((resolve) => {
      const deltas = [];
      let last = performance.now();
      const end = last + 5000;
      const tick = (now) => {
        deltas.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else resolve(deltas);
      };
      requestAnimationFrame(tick);
    }),
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
