/**
 * npm run bench:quality [-- --model NAME] [--n 10000]
 *
 * The evaluator's table for the shipped conditional model beside the real-digit floor and the
 * tutorial's seed-mlp, then each quality target with its verdict.
 */
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { integerIn } from '../src/cli/parse.js';
import { defaultDataDir } from '../src/data/mnist.js';
import { useBackend } from '../src/models/backend.js';
import { runEvaluation } from '../src/eval/report.js';

const options = new Command('bench:quality')
  .description("the evaluator's table for a shipped model, with the quality targets")
  .option('--model <name>', 'model folder inside models/', 'cdcgan')
  .addOption(
    new Option('--n <count>', 'digits per row').default(10_000).argParser(integerIn(100, 100_000)),
  )
  .parse()
  .opts<{ model: string; n: number }>();
const models = fileURLToPath(new URL('../models', import.meta.url));

await useBackend('wasm');
const report = runEvaluation({
  model: options.model,
  models,
  seedMlp: `${models}/seed-mlp`,
  classifier: `${models}/classifier`,
  data: defaultDataDir(),
  count: options.n,
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
