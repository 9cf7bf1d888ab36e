import { join } from 'node:path';
import { loadDigits } from '../data/mnist.js';
import { Generator } from '../models/generator.js';
import { SEED_MLP_NAME } from '../models/seed-mlp.js';
import { Classifier } from './classifier.js';
import { CLASSES } from './classifier-net.js';
import {
  evaluateGenerator,
  evaluateRealDigits,
  formatTable,
  labelShares,
  recordEvaluation,
  testSetMoments,
  type QualityRow,
} from './evaluate.js';

export interface EvaluateOptions {
  /** Model folder name inside `models`. */
  model: string;
  models: string;
  /** The seed-mlp model folder measured as the tutorial's reference row. */
  seedMlp: string;
  classifier: string;
  data: string;
  count: number;
  seed: number;
  json: boolean;
  /** Write the model's row into its manifest. */
  record: boolean;
  log: (text: string) => void;
}

export interface EvaluationReport {
  model: QualityRow;
  /** The floor (real training digits) and the tutorial's seed-mlp, measured in the same run. */
  references: QualityRow[];
  classifierTestAccuracy: number;
}

/** Measures a model beside the real-digit floor and the shipped seed-mlp, and reports it. */
export function runEvaluation(options: EvaluateOptions): EvaluationReport {
  const classifier = Classifier.load(options.classifier);
  const reference = testSetMoments(classifier, options.data);
  const train = loadDigits(options.data, 'train');
  const floor = evaluateRealDigits(classifier, reference, train, options.count);
  floor.label = 'real digits (floor)';

  const digitShares = labelShares(train.labels, CLASSES);
  const measure = (dir: string) => {
    const generator = Generator.load(dir);
    try {
      return evaluateGenerator(
        generator,
        classifier,
        reference,
        options.count,
        options.seed,
        digitShares,
      );
    } finally {
      generator.dispose();
    }
  };
  const modelDir = join(options.models, options.model);
  const model = measure(modelDir);
  const references = [floor];
  if (model.label !== SEED_MLP_NAME) references.push(measure(options.seedMlp));
  classifier.dispose();

  const report = {
    model,
    references,
    classifierTestAccuracy: classifier.manifest.testAccuracy,
  };
  if (options.record) {
    recordEvaluation(
      join(options.models, options.model),
      model,
      floor,
      report.classifierTestAccuracy,
    );
  }
  if (options.json) options.log(JSON.stringify(report, null, 2));
  else {
    const accuracy = (report.classifierTestAccuracy * 100).toFixed(2);
    options.log(
      `judged by the classifier in ${options.classifier} (${accuracy}% on MNIST's test set)`,
    );
    options.log(`FD against the 10,000 MNIST test digits; ${options.count} digits per row\n`);
    options.log(formatTable([model, ...references]));
  }
  return report;
}
