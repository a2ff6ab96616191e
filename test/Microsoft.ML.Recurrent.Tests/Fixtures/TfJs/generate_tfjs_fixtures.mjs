// Differential fixtures for GRU (resetAfter=false), LSTM, SimpleRNN, ConvLSTM2D, Bidirectional, masks and stacked
// cells computed with TensorFlow.js (pure-JS CPU backend).
//
//   npm install && node generate_tfjs_fixtures.mjs
//
// Writes tfjs_fixtures.json next to this script. See ../README.md for the format and the semantic mappings. Every
// case sets random Keras-layout weights with setWeights (tfjs uses the Keras layouts and gate orders), calls the layer
// eagerly with the mask / initial state, and differentiates L = sum_i sum(output_i * w_i) with fixed random w_i with
// tf.variableGrads w.r.t. the input, every weight and the initial states. The C# side receives the equivalent Keras 3
// config (snake_case); cases that rely on the Keras-2 hard_sigmoid formula (0.2x + 0.5, tfjs's only formula) are
// marked keras2=true.
import * as tf from '@tensorflow/tfjs';
import { writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
await tf.setBackend('cpu');

// ---------------------------------------------------------------- seeded random numbers (mulberry32 + Box-Muller)
let seed = 20260521 >>> 0;
function uniform01() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const uniform = (lo, hi) => lo + (hi - lo) * uniform01();
function normal(std = 1) {
  const u = 1 - uniform01();
  const v = uniform01();
  return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
const size = (shape) => shape.reduce((a, b) => a * b, 1);
const randn = (shape, std = 1) => tf.tensor(Array.from({ length: size(shape) }, () => normal(std)), shape, 'float32');
const randu = (shape, a) => tf.tensor(Array.from({ length: size(shape) }, () => uniform(-a, a)), shape, 'float32');

const enc = (t) => ({ shape: t.shape, data: Array.from(t.dataSync(), (v) => Number(v.toPrecision(9))) });
function maskFromLengths(lengths, steps) {
  const data = [];
  for (const n of lengths) for (let t = 0; t < steps; t++) data.push(t < n ? 1 : 0);
  return tf.tensor(data, [lengths.length, steps], 'float32');
}

// ---------------------------------------------------------------- Keras 3 configs for the C# side
const rnnFlags = (o) => ({
  return_sequences: !!o.returnSequences, return_state: !!o.returnState, go_backwards: !!o.goBackwards,
});
const gruConfig = (o) => ({
  class_name: 'GRU',
  config: { name: o.name, units: o.units, activation: 'tanh', recurrent_activation: o.recAct ?? 'sigmoid',
    use_bias: true, reset_after: false, ...rnnFlags(o) },
});
const lstmConfig = (o) => ({
  class_name: 'LSTM',
  config: { name: o.name, units: o.units, activation: 'tanh', recurrent_activation: o.recAct ?? 'sigmoid',
    use_bias: true, ...rnnFlags(o) },
});
const simpleConfig = (o) => ({
  class_name: 'SimpleRNN',
  config: { name: o.name, units: o.units, activation: o.activation ?? 'tanh', use_bias: true, ...rnnFlags(o) },
});
const cellConfig = (cls, c) => ({ class_name: cls, config: c });
const kerasAct = { sigmoid: 'sigmoid', hardSigmoid: 'hard_sigmoid', tanh: 'tanh', relu: 'relu' };

// ---------------------------------------------------------------- cases
// Each: id, build() -> tfjs layer, keras (config envelope), keras2, input shape, optional mask (tensor builder),
// initial state shapes, note.
const cases = [];
const add = (c) => cases.push(c);

// GRU reset_after=false (tfjs has no reset_after=true)
add({
  id: 'gru_v1.seq_state', note: 'GRU reset_after=false, sigmoid set explicitly',
  build: () => tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, returnState: true }),
  keras: gruConfig({ name: 'gru_v1_seq', units: 4, returnSequences: true, returnState: true }),
  input: [3, 6, 3],
});
add({
  id: 'gru_v1.hard_sigmoid_keras2', keras2: true,
  note: 'tfjs default recurrentActivation = hardSigmoid with the Keras-2 formula clip(0.2x+0.5); loaded with keras2=true',
  build: () => tf.layers.gru({ units: 5, returnSequences: true }),
  keras: gruConfig({ name: 'gru_v1_hs', units: 5, recAct: 'hard_sigmoid', returnSequences: true }),
  input: [3, 5, 4],
});
add({
  id: 'gru_v1.go_backwards_initial_state', note: 'outputs in processing order',
  build: () => tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', goBackwards: true, returnSequences: true, returnState: true }),
  keras: gruConfig({ name: 'gru_v1_back', units: 4, goBackwards: true, returnSequences: true, returnState: true }),
  input: [3, 5, 3], initialState: [[3, 4]],
});
add({
  id: 'gru_v1.mask_right_padded_seq', note: 'masked steps repeat the carried state (= previous output with zero initial state)',
  build: () => tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, returnState: true }),
  keras: gruConfig({ name: 'gru_v1_mask', units: 4, returnSequences: true, returnState: true }),
  input: [3, 6, 3], mask: () => maskFromLengths([6, 3, 1], 6),
});
add({
  id: 'gru_v1.mask_go_backwards_seq', note: 'mask reversed with the input; leading masked steps output 0 (zero initial state)',
  build: () => tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', goBackwards: true, returnSequences: true, returnState: true }),
  keras: gruConfig({ name: 'gru_v1_mask_back', units: 4, goBackwards: true, returnSequences: true, returnState: true }),
  input: [3, 6, 3], mask: () => maskFromLengths([4, 6, 2], 6),
});
add({
  id: 'gru_v1.masking_layer_holes_keras2', keras2: true,
  note: 'mask computed by tf.layers.masking (mask_value 0) on an input with zeroed steps (holes and leading zeros)',
  build: () => tf.layers.gru({ units: 3, returnSequences: true, returnState: true }),
  keras: gruConfig({ name: 'gru_v1_masking', units: 3, recAct: 'hard_sigmoid', returnSequences: true, returnState: true }),
  input: [3, 6, 2], zeroSteps: [[0, 2], [1, 0], [1, 1], [1, 4], [2, 5]], maskingLayer: true,
});
// LSTM / SimpleRNN with masks with holes (not representable by pack_padded_sequence)
add({
  id: 'lstm.mask_holes_seq_state', note: 'non-contiguous mask',
  build: () => tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, returnState: true }),
  keras: lstmConfig({ name: 'lstm_holes', units: 4, returnSequences: true, returnState: true }),
  input: [2, 6, 3], mask: () => tf.tensor([[1, 0, 1, 1, 0, 1], [0, 1, 1, 0, 0, 1]], [2, 6], 'float32'),
});
add({
  id: 'lstm.hard_sigmoid_keras2_initial_state', keras2: true,
  note: 'tfjs LSTM default recurrentActivation hardSigmoid (Keras-2 formula); keras2=true',
  build: () => tf.layers.lstm({ units: 3, returnState: true }),
  keras: lstmConfig({ name: 'lstm_hs', units: 3, recAct: 'hard_sigmoid', returnState: true }),
  input: [3, 5, 4], initialState: [[3, 3], [3, 3]],
});
add({
  id: 'simple_rnn.mask_holes_go_backwards',
  build: () => tf.layers.simpleRNN({ units: 4, goBackwards: true, returnSequences: true, returnState: true }),
  keras: simpleConfig({ name: 'srnn_holes_back', units: 4, goBackwards: true, returnSequences: true, returnState: true }),
  input: [2, 6, 3], mask: () => tf.tensor([[1, 1, 0, 1, 1, 0], [0, 1, 0, 1, 1, 1]], [2, 6], 'float32'),
});
// ConvLSTM2D
add({
  id: 'conv_lstm2d.same_seq_state', note: 'channels_last, padding same, 3x3 kernel',
  build: () => tf.layers.convLstm2d({ filters: 3, kernelSize: 3, padding: 'same', recurrentActivation: 'sigmoid', returnSequences: true, returnState: true }),
  keras: { class_name: 'ConvLSTM2D', config: { name: 'convlstm_same', filters: 3, kernel_size: [3, 3], padding: 'same',
    data_format: 'channels_last', activation: 'tanh', recurrent_activation: 'sigmoid', return_sequences: true, return_state: true } },
  input: [2, 3, 5, 4, 2],
});
add({
  id: 'conv_lstm2d.valid_strides_go_backwards', note: 'padding valid, strides 2, 2x3 kernel; recurrent conv is stride 1 same',
  build: () => tf.layers.convLstm2d({ filters: 2, kernelSize: [2, 3], strides: 2, padding: 'valid', recurrentActivation: 'sigmoid', goBackwards: true, returnState: true }),
  keras: { class_name: 'ConvLSTM2D', config: { name: 'convlstm_valid', filters: 2, kernel_size: [2, 3], strides: [2, 2], padding: 'valid',
    data_format: 'channels_last', activation: 'tanh', recurrent_activation: 'sigmoid', go_backwards: true, return_state: true } },
  input: [2, 3, 5, 7, 3],
});
add({
  id: 'conv_lstm2d.even_kernel_same_initial_state_keras2', keras2: true,
  note: '2x2 kernel with padding same (TF SAME: the extra pad goes after), hardSigmoid default (keras2=true), initial [h, c]. '
    + 'No dilation case: tfjs has no conv2d gradient for dilation > 1',
  build: () => tf.layers.convLstm2d({ filters: 2, kernelSize: 2, padding: 'same', returnSequences: true }),
  keras: { class_name: 'ConvLSTM2D', config: { name: 'convlstm_even', filters: 2, kernel_size: [2, 2], padding: 'same',
    data_format: 'channels_last', activation: 'tanh', recurrent_activation: 'hard_sigmoid', return_sequences: true } },
  input: [2, 3, 5, 4, 2], initialState: [[2, 5, 4, 2], [2, 5, 4, 2]],
});
// Bidirectional
add({
  id: 'bidirectional.concat_lstm_seq_initial_state', note: 'backward half flipped back to input time; states [h_f, c_f, h_b, c_b]',
  build: () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true }), mergeMode: 'concat' }),
  keras: { class_name: 'Bidirectional', config: { name: 'bidi_concat', merge_mode: 'concat',
    layer: lstmConfig({ name: 'lstm_bc', units: 3, returnSequences: true }) } },
  input: [3, 5, 4], initialState: [[3, 3], [3, 3], [3, 3], [3, 3]],
});
add({
  id: 'bidirectional.mul_gru_v1_seq_state',
  build: () => tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, returnState: true }), mergeMode: 'mul' }),
  keras: { class_name: 'Bidirectional', config: { name: 'bidi_mul', merge_mode: 'mul',
    layer: gruConfig({ name: 'gru_bm', units: 4, returnSequences: true, returnState: true }) } },
  input: [2, 5, 3],
});
add({
  id: 'bidirectional.ave_simple_rnn_mask_last_state',
  note: 'mask with return_sequences=false: last outputs are the carried states (Keras zero_output_for_mask=return_sequences=false)',
  build: () => tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, returnState: true }), mergeMode: 'ave' }),
  keras: { class_name: 'Bidirectional', config: { name: 'bidi_ave', merge_mode: 'ave',
    layer: simpleConfig({ name: 'srnn_ba', units: 4, returnState: true }) } },
  input: [3, 6, 3], mask: () => maskFromLengths([6, 2, 4], 6),
});
add({
  id: 'bidirectional.sum_gru_v1_keras2', keras2: true, note: 'hardSigmoid (Keras-2 formula) inside Bidirectional',
  build: () => tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true }), mergeMode: 'sum' }),
  keras: { class_name: 'Bidirectional', config: { name: 'bidi_sum', merge_mode: 'sum',
    layer: gruConfig({ name: 'gru_bs', units: 3, recAct: 'hard_sigmoid', returnSequences: true }) } },
  input: [2, 5, 3],
});
// Stacked cells: tf.layers.rnn({cell: [...]})
add({
  id: 'stacked.lstm_gru_simple_seq_state_initial_state', note: 'states flat in cell order: [h1, c1, h2, h3]',
  build: () => tf.layers.rnn({ cell: [
    tf.layers.lstmCell({ units: 4, recurrentActivation: 'sigmoid' }),
    tf.layers.gruCell({ units: 3, recurrentActivation: 'sigmoid' }),
    tf.layers.simpleRNNCell({ units: 2, activation: 'relu' })], returnSequences: true, returnState: true }),
  keras: { class_name: 'RNN', config: { name: 'stacked_a', return_sequences: true, return_state: true,
    cell: { class_name: 'StackedRNNCells', config: { cells: [
      cellConfig('LSTMCell', { name: 'c1', units: 4, activation: 'tanh', recurrent_activation: 'sigmoid' }),
      cellConfig('GRUCell', { name: 'c2', units: 3, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: false }),
      cellConfig('SimpleRNNCell', { name: 'c3', units: 2, activation: 'relu' })] } } } },
  input: [3, 5, 3], initialState: [[3, 4], [3, 4], [3, 3], [3, 2]], cellStateCounts: [2, 1, 1],
});
add({
  id: 'stacked.gru_gru_go_backwards_last', note: 'two GRU cells (reset_after=false), go_backwards',
  build: () => tf.layers.rnn({ cell: [
    tf.layers.gruCell({ units: 3, recurrentActivation: 'sigmoid' }),
    tf.layers.gruCell({ units: 4, recurrentActivation: 'sigmoid' })], goBackwards: true, returnState: true }),
  keras: { class_name: 'RNN', config: { name: 'stacked_b', go_backwards: true, return_state: true,
    cell: { class_name: 'StackedRNNCells', config: { cells: [
      cellConfig('GRUCell', { name: 'g1', units: 3, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: false }),
      cellConfig('GRUCell', { name: 'g2', units: 4, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: false })] } } } },
  input: [2, 6, 3], cellStateCounts: [1, 1],
});
add({
  id: 'stacked.simple_lstm_mask_seq_state',
  note: 'right-padded mask, zero initial state: tfjs outputs its first flat state at masked steps, which (reversed order) is the last cell\'s h = Keras\'s previous output',
  build: () => tf.layers.rnn({ cell: [
    tf.layers.simpleRNNCell({ units: 3 }),
    tf.layers.lstmCell({ units: 4, recurrentActivation: 'sigmoid' })], returnSequences: true, returnState: true }),
  keras: { class_name: 'RNN', config: { name: 'stacked_c', return_sequences: true, return_state: true,
    cell: { class_name: 'StackedRNNCells', config: { cells: [
      cellConfig('SimpleRNNCell', { name: 's1', units: 3, activation: 'tanh' }),
      cellConfig('LSTMCell', { name: 'l2', units: 4, activation: 'tanh', recurrent_activation: 'sigmoid' })] } } } },
  input: [3, 6, 2], mask: () => maskFromLengths([6, 1, 4], 6), cellStateCounts: [1, 2],
});

// ---------------------------------------------------------------- run
// tfjs StackedRNNCells keeps the Keras-2.0 flat state order: cells in *reverse* order (each cell's own states in
// order), e.g. [h3, h2, h1, c1] for cells (LSTM, GRU, SimpleRNN); Keras 3 uses cell order [h1, c1, h2, h3].
// tfjsToKeras[j] = the Keras flat index of tfjs flat state j.
function tfjsToKeras(counts) {
  if (!counts) return null;
  const offsets = counts.map((_, k) => counts.slice(0, k).reduce((a, b) => a + b, 0));
  const order = [];
  for (let k = counts.length - 1; k >= 0; k--) for (let i = 0; i < counts[k]; i++) order.push(offsets[k] + i);
  return order;
}
function runCase(c) {
  const layer = c.build();
  let x = randn(c.input);
  let mask = null;
  if (c.zeroSteps) {
    const buf = x.bufferSync();
    for (const [b, t] of c.zeroSteps) for (let f = 0; f < c.input[2]; f++) buf.set(0, b, t, f);
    x = buf.toTensor();
  }
  if (c.maskingLayer) {
    const masking = tf.layers.masking({ maskValue: 0 });
    mask = tf.cast(masking.computeMask(x), 'float32');
    x = masking.apply(x);
  } else if (c.mask) {
    mask = c.mask();
  }
  const init = c.initialState ? c.initialState.map((s) => randn(s, 0.5)) : null; // Keras order
  const perm = tfjsToKeras(c.cellStateCounts);
  const toTfjs = (states) => (perm ? perm.map((k) => states[k]) : states);
  const toKeras = (outs) => {
    if (!perm || outs.length === 1) return outs;
    const states = new Array(perm.length);
    perm.forEach((k, j) => { states[k] = outs[1 + j]; });
    return [outs[0], ...states];
  };

  // Build, then set random Keras-layout weights.
  layer.apply(x, { mask: mask ?? undefined, initialState: init ? toTfjs(init) : undefined });
  const weights = layer.weights.map((w) => randu(w.shape, 0.6));
  layer.setWeights(weights);

  const xVar = tf.variable(x, true, `${c.id}/x`);
  const initVars = init ? init.map((s, i) => tf.variable(s, true, `${c.id}/s${i}`)) : [];
  const call = () => {
    const out = layer.apply(xVar, { mask: mask ?? undefined, initialState: init ? toTfjs(initVars) : undefined });
    return toKeras(Array.isArray(out) ? out : [out]);
  };
  const outputs = call();
  const functional = outputs.map((o) => randn(o.shape));
  const weightVars = layer.weights.map((w) => w.read());
  const varList = [xVar, ...weightVars, ...initVars];
  const { value, grads } = tf.variableGrads(() => {
    const outs = call();
    return outs.map((o, i) => tf.sum(tf.mul(o, functional[i]))).reduce((a, b) => tf.add(a, b));
  }, varList);
  const g = (v) => enc(grads[v.name]);
  return {
    id: c.id,
    source: 'tfjs',
    note: c.note ?? '',
    layer: c.keras,
    keras2: !!c.keras2,
    input: enc(x),
    mask: mask ? enc(mask) : null,
    initial_state: init ? init.map(enc) : null,
    weights: layer.weights.map((w, i) => ({ name: w.originalName ?? w.name, ...enc(weights[i]) })),
    outputs: outputs.map(enc),
    functional: functional.map(enc),
    loss: value.dataSync()[0],
    grads: {
      input: g(xVar),
      weights: weightVars.map(g),
      initial_state: init ? initVars.map(g) : null,
    },
  };
}

const fixtures = cases.map(runCase);
const pkg = (name) => JSON.parse(readFileSync(join(HERE, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')).version;
const doc = {
  generator: 'test/Microsoft.ML.Recurrent.Tests/Fixtures/TfJs/generate_tfjs_fixtures.mjs',
  versions: { '@tensorflow/tfjs': pkg('@tensorflow/tfjs'), '@tensorflow/tfjs-layers': pkg('@tensorflow/tfjs-layers'),
    '@tensorflow/tfjs-backend-cpu': pkg('@tensorflow/tfjs-backend-cpu'), node: process.version, backend: tf.getBackend() },
  dtype: 'float32',
  loss: 'sum_i sum(outputs[i] * functional[i]); grads of it w.r.t. input, weights (Keras layout), initial states',
  tolerance: '|actual - expected| <= 1e-5 * (1 + |expected|)',
  cases: fixtures,
};
const path = join(HERE, 'tfjs_fixtures.json');
writeFileSync(path, JSON.stringify(doc));
console.log(`wrote ${fixtures.length} cases to ${path} (${readFileSync(path).length} bytes)`);
