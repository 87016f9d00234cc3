// The `layerlab` npm package (crates/js, built by `cargo xtask pack` with wasm-pack) in Node: a
// link trains to the CLI's losses on the CPU (Node has no WebGPU, and the package says so), a bad
// link throws an Error with the validation message, a long loop keeps the wasm memory flat, and
// `run` trains to a condition. Run by `cargo xtask test` (its `package` step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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

test('a link trains to the losses the CLI reaches on the same link', async () => {
  const link = (await Experiment.fromSpec(SPEC)).link();
  assert.match(link, /^v2\./);
  const experiment = await Experiment.fromLink(`https://example.org/layerlab/#${link}`);
  assert.equal(experiment.backend, 'cpu', 'Node has no WebGPU');
  const report = experiment.backendReport();
  assert.equal(report.kind, 'cpu');
  // Not "this browser": the package runs in Node too.
  assert.match(report.explanation, /\(or JavaScript runtime\) has no WebGPU/);
  const loss = await experiment.step(5000);
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
  assert.equal(snapshot.trainLoss, ours.trainLoss, 'a snapshot carries the evaluation');
  assert.equal(snapshot.testAccuracy, ours.testAccuracy);
  assert.deepEqual(snapshot.layers.map((l) => l.name), ['model[0]', 'model[1]', 'output']);
  assert.ok(snapshot.layers[0].effective_rank > 1);
  assert.ok(snapshot.layers[0].sparsity >= 0 && snapshot.layers[0].sparsity <= 1);
  const outputs = experiment.predict(new Float32Array([0.5, -0.5, 0, 0]));
  assert.equal(outputs.length, 2, 'one logit per point');
  assert.throws(() => experiment.predict(new Float32Array([1, 2, 3])), /predict takes rows of 2 numbers, but got 3 numbers/);
  assert.equal(JSON.parse(experiment.exportSpec()).seed, 5);
  experiment.free();
});

test('bad links, specs and options reject with Errors carrying the validation message', async () => {
  const cases = [
    ['garbage', () => Experiment.fromLink('v1.not-a-real-link!!'), /link/],
    ['an absurd width', () => Experiment.fromSpec('{"model":[{"dense":{"units":100000}}]}'), /model\[0\]\.units = 100000 exceeds the limit of 4096/],
    ['broken JSON', () => Experiment.fromSpec('{"model":[{"dense":{"units":'), /EOF|end of/i],
    ['an unknown backend', () => Experiment.fromSpec(SPEC, { backend: 'tpu' }), /backend "tpu" is not one of "auto", "cpu", "webgpu"/],
    ['an unknown backend in the link', async () => Experiment.fromLink(`https://x.org/?backend=quantum#${(await Experiment.fromSpec(SPEC)).link()}`), /backend "quantum"/],
  ];
  for (const [what, make, message] of cases) {
    await assert.rejects(make, (e) => e instanceof Error && message.test(e.message), what);
  }
});

test('an experiment on a CSV file trains from the text given as options.csv, and a broken file says where', async () => {
  let text = 'a,b,label\n';
  for (let i = 0; i < 200; i++) {
    const [a, b] = [(i % 20) / 10 - 1, Math.floor(i / 20) / 5 - 1];
    text += `${a},${b},${a + b > 0 ? 1 : 0}\n`;
  }
  const spec = JSON.stringify({
    data: { dataset: { csv: { name: 'good.csv', inputs: 2, target: 'label', task: { classes: { classes: 2 } } } } },
    model: [{ dense: { units: 8 } }],
    training: { length: { steps: 400 } },
  });
  const experiment = await Experiment.fromSpec(spec, { csv: text });
  const last = await experiment.run();
  assert.equal(last.step, 400);
  assert.ok(last.testAccuracy >= 0.9, JSON.stringify(last));
  experiment.free();
  await assert.rejects(Experiment.fromSpec(spec), /the experiment trains on the CSV file `good.csv`: pass its text as options.csv/);
  await assert.rejects(
    Experiment.fromSpec(spec, { csv: 'a,b,label\n1,2,0\n3,4\n' }),
    /in `good.csv`, row 3 has 2 fields, the header has 3/,
  );
  await assert.rejects(Experiment.fromSpec(spec, { csv: 42 }), /options: `csv` must be the CSV file's text/);
});

test('ten thousand steps in a loop keep the wasm memory flat', async () => {
  const experiment = await Experiment.fromSpec(JSON.stringify({
    data: { dataset: 'circle' },
    model: [{ dense: { units: 8 } }],
    training: { length: { steps: 20000 } },
    seed: 1,
  }));
  await experiment.step(500);
  experiment.evaluate();
  const warm = memoryBytes();
  for (let i = 0; i < 100; i++) {
    await experiment.step(100);
    if (i % 10 === 0) experiment.evaluate();
  }
  assert.equal(experiment.steps, 10500);
  assert.equal(memoryBytes(), warm, 'no growth after warm-up');
  experiment.free();
});

test('run trains to a condition, hands each evaluation to onSnapshot, and stops when it says so', async () => {
  const spec = JSON.stringify({ data: { dataset: 'xor' }, model: [{ dense: { units: 8 } }], training: { length: { steps: 5000 } }, seed: 2 });
  const experiment = await Experiment.fromSpec(spec);
  const seen = [];
  const last = await experiment.run({
    until: { steps: 400 },
    every: 100,
    onSnapshot: (s) => {
      seen.push(s.step);
      assert.ok(Number.isFinite(s.trainLoss) && s.layers.length === 2 && s.layers[0].width === 8, JSON.stringify(s));
    },
  });
  assert.deepEqual(seen, [100, 200, 300, 400]);
  assert.equal(last.layers.length, 2, 'run resolves to the last snapshot');
  assert.equal(last.step, 400);
  assert.equal(experiment.steps, 400);

  const stopped = await experiment.run({ every: 50, onSnapshot: (e) => e.step < 500 });
  assert.equal(stopped.step, 500, 'onSnapshot returning false ends the run');

  const learned = await experiment.run({ until: { testAccuracyAbove: 0.9 }, every: 100 });
  assert.ok(learned.testAccuracy >= 0.9 && learned.step < 5000, JSON.stringify(learned));
  await assert.rejects(experiment.run({ every: 'often' }), /run: `every` must be a number/);
  await assert.rejects(experiment.run({ onSnapshot: 3 }), /run: `onSnapshot` must be a function/);
  await assert.rejects(experiment.run({ onSnapshot: () => { throw new Error('boom'); } }), /run: onSnapshot threw: boom/);

  experiment.free();
});

test('a long step gives the event loop turns, and a second step before it ends is refused', async () => {
  const experiment = await Experiment.fromSpec(JSON.stringify({
    data: { dataset: 'spiral' }, model: [{ dense: { units: 32 } }, { dense: { units: 32 } }], training: { length: { steps: 100000 } }, seed: 4,
  }));
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 0);
  const started = performance.now();
  const first = experiment.step(20000);
  await assert.rejects(experiment.step(1), /step: an earlier step or run is still going: await it first/);
  await first;
  clearInterval(timer);
  const ms = performance.now() - started;
  assert.equal(experiment.steps, 20000);
  assert.ok(ticks >= 2, `timers ran while it trained (${ticks} in ${ms.toFixed(0)} ms)`);
  experiment.free();
});

test('the package carries TypeScript types for its results and options', async () => {
  const types = await readFile(join(PACKAGE, 'layerlab.d.ts'), 'utf8');
  for (const name of ['Options', 'Evaluation', 'RunOptions', 'Snapshot', 'LayerMetrics', 'BackendReport']) {
    assert.match(types, new RegExp(`export interface ${name} (extends \\w+ )?\\{`), name);
  }
  assert.match(types, /run\(options\?: RunOptions \| null\): Promise<Snapshot>;/);
  assert.match(types, /step\(n: number\): Promise<number>;/);
  assert.match(types, /snapshot\(\): Snapshot;/);
  assert.match(types, /static fromLink\(text: string, options\?: Options \| null\): Promise<Experiment>;/);
  assert.match(types, /readonly backend: "webgpu" \| "cpu";/);
  const manifest = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'layerlab');
  assert.equal(manifest.types, 'layerlab.d.ts');
});
