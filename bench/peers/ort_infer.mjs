// Times ONNX Runtime (onnxruntime-node, CPU execution provider) on one exported recurrent model.
// Usage: node ort_infer.mjs MODEL.onnx BATCH STEPS INPUT [--threads 2] [--seconds 1.0] [--min-reps 5]
// Prints one JSON line: {"median_ms": ..., "reps": ..., "threads": ..., "ort": "<version>"}.
// The input is created once; each timed call is one session.run (as `ours` times one layer call).
import ort from 'onnxruntime-node';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const [model, batch, steps, input] = [args[0], Number(args[1]), Number(args[2]), Number(args[3])];
const threads = opt('--threads', 2), seconds = opt('--seconds', 1.0), minReps = opt('--min-reps', 5);

const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
  graphOptimizationLevel: 'all', executionMode: 'sequential',
});
const data = new Float32Array(batch * steps * input);
let s = 12345;
for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = (s / 4294967296) * 2 - 1; }
const feeds = { x: new ort.Tensor('float32', data, [batch, steps, input]) };

// Warm-up: a few calls and at least 0.2 s.
let t0 = performance.now();
for (let i = 0; i < 3 || performance.now() - t0 < 200; i++) await session.run(feeds);

const times = [];
t0 = performance.now();
while (times.length < minReps || performance.now() - t0 < seconds * 1000) {
  const a = performance.now();
  await session.run(feeds);
  times.push(performance.now() - a);
}
times.sort((x, y) => x - y);
const median = times[Math.floor(times.length / 2)];
let version = 'unknown';
try { version = require('onnxruntime-node/package.json').version; } catch { }
console.log(JSON.stringify({ median_ms: median, min_ms: times[0], reps: times.length, threads, ort: version }));
