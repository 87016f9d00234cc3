// The `layerlab` npm package (crates/js, built by `cargo xtask pack`) in Node: a link trains to
// the CLI's losses on the CPU, a bad link throws an Error with the validation message, and a long
// loop keeps the wasm memory flat. Run by `cargo xtask test` (its `package` step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = process.env.LAYERLAB_PACKAGE;
const CLI = process.env.LAYERLAB_CLI;
if (!PACKAGE || !CLI) throw new Error('LAYERLAB_PACKAGE and LAYERLAB_CLI are not set: run these through `cargo xtask test`');
const { Experiment, memoryBytes } = createRequire(import.meta.url)(join(PACKAGE, 'layerlab.js'));

/** Spiral through two tanh layers of 16, 2,000 steps: evaluated once, at the end. */
const SPEC = JSON.stringify({
  data: { dataset: 'spiral', samples: 400, noise: 0.1 },
  model: [{ dense: { units: 16 } }, { dense: { units: 16 } }],
  training: { batch_size: 16, length: { steps: 2000 } },
  metrics: { every: 2000 },
  seed: 5,
});

test('a link trains to the losses the CLI reaches on the same link', () => {
  const link = Experiment.fromSpec(SPEC).link();
  assert.match(link, /^v1\./);
  const experiment = Experiment.fromLink(`https://example.org/layerlab/?backend=cpu#${link}`);
  assert.equal(experiment.backend, 'cpu');
  const loss = experiment.step(5000);
  assert.equal(experiment.steps, 2000, 'the run ends at its length');
  assert.ok(Number.isFinite(loss));
  const ours = experiment.evaluate();

  const out = execFileSync(CLI, ['train', link], { encoding: 'utf8' }).trim().split('\n');
  const cli = JSON.parse(out.at(-1));
  assert.equal(cli.step, 2000);
  // The same engine and recipe; wasm's SIMD and the native kernels may sum in other orders.
  for (const [key, theirs] of [['trainLoss', cli.train_loss], ['testLoss', cli.test_loss], ['testAccuracy', cli.test_accuracy]]) {
    assert.ok(Math.abs(ours[key] - theirs) <= 1e-4 * Math.max(1, Math.abs(theirs)), `${key}: ${ours[key]} here, ${theirs} in the CLI`);
  }
  assert.ok(ours.testAccuracy > 0.8, `spiral learned: ${ours.testAccuracy}`);

  const snapshot = experiment.snapshot();
  assert.equal(snapshot.step, 2000);
  assert.deepEqual(snapshot.layers.map((l) => l.name), ['model[0]', 'model[1]', 'output']);
  assert.ok(snapshot.layers[0].effective_rank > 1);
  const outputs = experiment.predict(new Float32Array([0.5, -0.5, 0, 0]));
  assert.equal(outputs.length, 2, 'one logit per point');
  assert.throws(() => experiment.predict(new Float32Array([1, 2, 3])), /predict takes rows of 2 numbers, but got 3 numbers/);
  assert.equal(JSON.parse(experiment.exportSpec()).seed, 5);
  experiment.free();
});

test('bad links and specs throw Errors carrying the validation message', () => {
  const cases = [
    ['garbage', () => Experiment.fromLink('v1.not-a-real-link!!'), /link/],
    ['an absurd width', () => Experiment.fromSpec('{"model":[{"dense":{"units":100000}}]}'), /model\[0\]\.units = 100000 exceeds the limit of 4096/],
    ['broken JSON', () => Experiment.fromSpec('{"model":[{"dense":{"units":'), /EOF|end of/i],
  ];
  for (const [what, make, message] of cases) {
    assert.throws(make, (e) => e instanceof Error && message.test(e.message), what);
  }
});

test('ten thousand steps in a loop keep the wasm memory flat', () => {
  const experiment = Experiment.fromSpec(JSON.stringify({
    data: { dataset: 'circle' },
    model: [{ dense: { units: 8 } }],
    training: { length: { steps: 20000 } },
    seed: 1,
  }));
  experiment.step(500);
  experiment.evaluate();
  const warm = memoryBytes();
  for (let i = 0; i < 100; i++) {
    experiment.step(100);
    if (i % 10 === 0) experiment.evaluate();
  }
  assert.equal(experiment.steps, 10500);
  assert.equal(memoryBytes(), warm, 'no growth after warm-up');
  experiment.free();
});

test('run trains to a condition, hands each evaluation to onSnapshot, and stops when it says so', () => {
  const spec = JSON.stringify({ data: { dataset: 'xor' }, model: [{ dense: { units: 8 } }], training: { length: { steps: 5000 } }, seed: 2 });
  const experiment = Experiment.fromSpec(spec);
  const seen = [];
  const last = experiment.run({ until: { steps: 400 }, every: 100, onSnapshot: (e) => { seen.push(e.step); } });
  assert.deepEqual(seen, [100, 200, 300, 400]);
  assert.equal(last.step, 400);
  assert.equal(experiment.steps, 400);

  const stopped = experiment.run({ every: 50, onSnapshot: (e) => e.step < 500 });
  assert.equal(stopped.step, 500, 'onSnapshot returning false ends the run');

  const learned = experiment.run({ until: { testAccuracyAbove: 0.9 }, every: 100 });
  assert.ok(learned.testAccuracy >= 0.9 && learned.step < 5000, JSON.stringify(learned));
  assert.throws(() => experiment.run({ every: 'often' }), /run: `every` must be a number/);
  assert.throws(() => experiment.run({ onSnapshot: 3 }), /run: `onSnapshot` must be a function/);
  experiment.free();
});

test('the package carries TypeScript types for its results and options', async () => {
  const { readFile } = await import('node:fs/promises');
  const types = await readFile(join(PACKAGE, 'layerlab.d.ts'), 'utf8');
  assert.match(types, /export interface Evaluation \{/);
  assert.match(types, /run\(options: RunOptions\): Evaluation;/);
  assert.match(types, /evaluate\(\): Evaluation;/);
  assert.match(types, /static fromLink\(text: string\): Experiment;/);
});
