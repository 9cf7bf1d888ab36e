/**
 * npm run bench:quality [-- --model NAME] [--n 10000]
 *
 * The evaluator's table for the shipped conditional model beside the real-digit floor and the
 * tutorial's seed-mlp, then each quality target with its verdict.
 */
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../src/data/mnist.js';
import { useBackend } from '../src/models/backend.js';
import { runEvaluation } from '../src/eval/report.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const models = fileURLToPath(new URL('../models', import.meta.url));

await useBackend('wasm');
const report = runEvaluation({
  model: option('--model', 'cdcgan'),
  models,
  seedMlp: `${models}/seed-mlp`,
  classifier: `${models}/classifier`,
  data: defaultDataDir(),
  count: Number(option('--n', '10000')),
  seed: 0,
  json: false,
  record: false,
  log: (text) => console.log(text),
});

const { model, references } = report;
const floor = references[0];
const worstDigit = model.accuracy ? Math.min(...model.accuracy.perDigit) : 0;
const targets: [string, boolean][] = [
  [
    `FD ${model.frechetDistance.toFixed(3)} <= 3 x floor ${floor.frechetDistance.toFixed(3)} ` +
      `(${(model.frechetDistance / floor.frechetDistance).toFixed(2)}x)`,
    model.frechetDistance <= 3 * floor.frechetDistance,
  ],
  [`accuracy >= 98% for every digit (worst ${(worstDigit * 100).toFixed(2)}%)`, worstDigit >= 0.98],
  [`IS ${model.inceptionScore.toFixed(3)} >= 9.3`, model.inceptionScore >= 9.3],
  [`spread ${model.spread.toFixed(3)} >= 3.30 bits`, model.spread >= 3.3],
];
console.log('\ntargets');
for (const [text, met] of targets) console.log(`  ${met ? 'MET    ' : 'NOT MET'} ${text}`);
