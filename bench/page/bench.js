// The in-browser half of `cargo xtask bench`: the benchmark MLPs (the engine's workloads: the same
// ids, sizes, batches and losses as the native and PyTorch rows) trained by LayerLab's CPU (wasm)
// and WebGPU backends through the `layerlab` package, by its CPU backend again from the package
// built with relaxed SIMD (`cpu+relaxed-simd`: what the page's worker runs in Chromium), and by TensorFlow.js on its wasm, cpu, webgl
// and webgpu backends. Every step completes before the next (LayerLab's CPU steps are synchronous;
// its WebGPU steps and TF.js's are awaited through a read-back of the loss). Before a time is
// kept, LayerLab's WebGPU losses must match its CPU's within 1e-3 after the warm-up, and every
// engine's loss must be finite. The literature blocks (bench/blocks, served as blocks/) train as
// whole experiments through `Experiment` on both LayerLab backends (TensorFlow.js has no KAN,
// mixture-of-experts or MLP-Mixer layer to compare with); their rows name the block.
import init, { Experiment, Workload } from './layerlab/layerlab.js';

/** The models, as the engine's workloads name them: inputs, hidden widths, activation, outputs, batch. */
const MODELS = {
  'mlp_2-8-8-1_tanh_b10': [2, [8, 8], 'tanh', 1, 10],
  'mlp_2-64-64-64-2_relu_b256': [2, [64, 64, 64], 'relu', 2, 256],
  'mlp_784-256-256-10_relu_b128': [784, [256, 256], 'relu', 10, 128],
};
const WARMUP = 20;
/** The package built with relaxed SIMD (served as layerlab-relaxed/), as the page's worker is
 *  where the browser has relaxed SIMD: its rows' backend. */
const RELAXED = 'cpu+relaxed-simd';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms per step: runs of `k` steps (k grown until the fastest of three runs takes ≥ 4 ms,
 *  under the timer's resolution otherwise: one slow run, a compile or a collection, must not stop
 *  the growth) repeated for `budgetMs`, at least 5 runs. */
async function timePerStep(steps, budgetMs) {
  let k = 1;
  for (;;) {
    let fastest = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await steps(k);
      fastest = Math.min(fastest, performance.now() - t);
    }
    if (fastest >= 4 || k >= 4096) break;
    k *= 2;
  }
  const times = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || times.length < 5) {
    const t = performance.now();
    await steps(k);
    times.push((performance.now() - t) / k);
  }
  const ms = median(times);
  if (!(ms > 0)) throw new Error(`${k} steps per run were below the timer's resolution`);
  return { ms, timed: times.length * k };
}

/** LayerLab on `model`; `api` is the package's module (the relaxed-SIMD build's for
 *  `cpu+relaxed-simd`, which trains on its CPU backend). */
async function layerlab(model, backend, budgetMs, api) {
  const asked = backend === RELAXED ? 'cpu' : backend;
  const workload = await api.Workload.open(model, asked);
  if (workload.backend !== asked) throw new Error(`asked for ${asked}, got ${workload.backend}: ${workload.adapter}`);
  const warm = await workload.steps(WARMUP);
  let check = 'loss finite';
  if (backend === 'webgpu') {
    const reference = await Workload.open(model, 'cpu');
    const want = await reference.steps(WARMUP);
    reference.free();
    if (!(Math.abs(warm - want) <= 1e-3)) throw new Error(`loss after ${WARMUP} steps: ${warm} on WebGPU, ${want} on the CPU`);
    check = `loss after ${WARMUP} steps within 1e-3 of the CPU's`;
  }
  if (!Number.isFinite(warm)) throw new Error(`loss ${warm} after ${WARMUP} steps`);
  const { ms, timed } = await timePerStep((k) => workload.steps(k), budgetMs);
  const row = { engine: 'layerlab', backend, threads: 1, ms_per_step: ms, steps_timed: timed, loss: warm, check, adapter: workload.adapter };
  workload.free();
  return row;
}

/** A literature block's experiment (its spec, run long enough never to end while timed). */
async function block(spec, backend, budgetMs) {
  const long = JSON.parse(spec);
  long.training = { ...long.training, length: { steps: 1000000 } };
  long.metrics = { ...long.metrics, every: 1000000 };
  const open = () => Experiment.fromSpec(JSON.stringify(long), { backend });
  const experiment = await open();
  if (experiment.backend !== backend) throw new Error(`asked for ${backend}: ${experiment.backendReport().explanation}`);
  await experiment.step(WARMUP);
  const warm = experiment.evaluate().trainLoss;
  let check = 'loss finite';
  if (backend === 'webgpu') {
    const reference = await Experiment.fromSpec(JSON.stringify(long), { backend: 'cpu' });
    await reference.step(WARMUP);
    const want = reference.evaluate().trainLoss;
    reference.free();
    if (!(Math.abs(warm - want) <= 1e-3)) throw new Error(`training loss after ${WARMUP} steps: ${warm} on WebGPU, ${want} on the CPU`);
    check = `training loss after ${WARMUP} steps within 1e-3 of the CPU's`;
  }
  if (!Number.isFinite(warm)) throw new Error(`loss ${warm} after ${WARMUP} steps`);
  const { ms, timed } = await timePerStep((k) => experiment.step(k), budgetMs);
  const adapter = experiment.backendReport().label;
  experiment.free();
  return { engine: 'layerlab', backend, threads: 1, ms_per_step: ms, steps_timed: timed, loss: warm, check, adapter };
}

async function tfjs(model, backend, budgetMs) {
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  await tf.ready();
  const [inputs, hidden, activation, outputs, batch] = MODELS[model];
  const flags = {};
  if (backend === 'wasm') {
    flags.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    flags.threads_available = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  const net = tf.sequential();
  hidden.forEach((units, i) => net.add(tf.layers.dense({ units, activation, kernelInitializer: 'heNormal', ...(i === 0 ? { inputShape: [inputs] } : {}) })));
  net.add(tf.layers.dense({ units: outputs, kernelInitializer: 'heNormal' }));
  const x = tf.randomUniform([batch, inputs], -1, 1, 'float32', 2);
  const labels = tf.randomUniform([batch], 0, Math.max(outputs, 2), 'int32', 3);
  const y = outputs === 1 ? labels.reshape([batch, 1]).toFloat() : tf.oneHot(labels, outputs).toFloat();
  const lossOf = () => (outputs === 1
    ? tf.losses.sigmoidCrossEntropy(y, net.apply(x))
    : tf.losses.softmaxCrossEntropy(y, net.apply(x)));
  const optimizer = tf.train.adam(0.01);
  let last = NaN;
  const steps = async (k) => {
    for (let i = 0; i < k; i++) {
      const loss = optimizer.minimize(lossOf, true);
      last = (await loss.data())[0];
      loss.dispose();
    }
  };
  await steps(WARMUP);
  const warm = last;
  if (!Number.isFinite(warm)) throw new Error(`loss ${warm} after ${WARMUP} steps`);
  const { ms, timed } = await timePerStep(steps, budgetMs);
  for (const t of [x, labels, y]) t.dispose();
  optimizer.dispose();
  net.dispose();
  const threads = backend === 'wasm' ? tf.wasm.getThreadsCount?.() ?? 1 : 1;
  return { engine: 'tfjs', backend, threads, ms_per_step: ms, steps_timed: timed, loss: warm, check: 'loss finite', ...flags };
}

/** Every engine and backend on every model, then LayerLab's backends on every block of
 *  `blocks` ({ name: spec JSON }); a failure is a row with `error`, not the end. */
export async function bench({ models = Object.keys(MODELS), blocks = {}, budgetMs = 1500, skip = [] } = {}) {
  await init();
  // A separate instance of the package, from the relaxed-SIMD build; it does not compile where
  // the browser lacks relaxed SIMD, and its rows then say so.
  let relaxed;
  try {
    relaxed = await import('./layerlab-relaxed/layerlab.js');
    await relaxed.default();
  } catch (error) {
    relaxed = { Workload: { open: () => { throw new Error(`no relaxed-SIMD build here: ${error?.message ?? error}`); } } };
  }
  const api = (backend) => (backend === RELAXED ? relaxed : { Workload });
  tf.wasm.setWasmPaths('tfjs/');
  const runs = [
    ['layerlab', 'cpu'], ['layerlab', RELAXED], ['layerlab', 'webgpu'],
    ['tfjs', 'wasm'], ['tfjs', 'cpu'], ['tfjs', 'webgl'], ['tfjs', 'webgpu'],
  ].filter(([engine, backend]) => !skip.includes(`${engine}/${backend}`));
  const rows = [];
  for (const model of models) {
    for (const [engine, backend] of runs) {
      const base = { model, engine, backend, where: 'browser', threads: 1 };
      try {
        const row = engine === 'layerlab' ? await layerlab(model, backend, budgetMs, api(backend)) : await tfjs(model, backend, budgetMs);
        rows.push({ ...base, ...row });
      } catch (error) {
        rows.push({ ...base, error: String(error?.message ?? error) });
      }
      document.getElementById('out').textContent = rows.map((r) => JSON.stringify(r)).join('\n');
    }
  }
  for (const [name, spec] of Object.entries(blocks)) {
    for (const backend of ['cpu', 'webgpu'].filter((b) => !skip.includes(`layerlab/${b}`))) {
      const base = { model: `block_${name}`, engine: 'layerlab', backend, where: 'browser', threads: 1 };
      try {
        rows.push({ ...base, ...(await block(spec, backend, budgetMs)) });
      } catch (error) {
        rows.push({ ...base, error: String(error?.message ?? error) });
      }
      document.getElementById('out').textContent = rows.map((r) => JSON.stringify(r)).join('\n');
    }
  }
  return { rows, user_agent: navigator.userAgent, tfjs: tf.version.tfjs };
}

window.bench = bench;
document.getElementById('run').addEventListener('click', () => bench({ models: ['mlp_2-8-8-1_tanh_b10'], budgetMs: 500 }));
