import cliProgress from 'cli-progress';
import { loadDigits, toUnitRange, type DigitSet } from '../data/mnist.js';
import { tf } from '../models/backend.js';
import { Trainable } from '../models/net/trainable.js';
import { oneHot } from '../models/one-hot.js';
import { mixSeed, permutation, Random } from '../models/random.js';
import { argmaxRows, Classifier, saveClassifier } from './classifier.js';
import { CLASSES, classifierFeatures, classifierHead } from './classifier-net.js';

export interface ClassifierTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Folder of MNIST-layout IDX files (train and test splits). */
  data: string;
  /** Classifier folder to write. */
  out: string;
  /** Largest random shift, in pixels, applied to each training digit (0: none). */
  shift: number;
  progress: boolean;
  log: (line: string) => void;
}

/**
 * Trains the evaluation classifier on the training split (softmax cross-entropy, Adam), reports
 * its accuracy on the test split after every epoch and saves it with that accuracy.
 */
export async function trainClassifier(options: ClassifierTrainOptions): Promise<number> {
  const train = loadDigits(options.data, 'train');
  const test = loadDigits(options.data, 'test');
  const images = toUnitRange(train.images);
  const featureNet = classifierFeatures();
  const headNet = classifierHead();
  const init = new Random(mixSeed(options.seed, 0));
  const adam = { learningRate: options.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const features = new Trainable(featureNet, featureNet.initialParameters(init), adam, null);
  const head = new Trainable(headNet, headNet.initialParameters(init), adam, null);
  const random = new Random(mixSeed(options.seed, 1));
  const steps = Math.ceil(train.count / options.batchSize);
  const bar =
    options.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format:
              'epoch {epoch} |{bar}| {value}/{total} steps | ETA {eta_formatted} | loss {loss}',
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  const began = performance.now();
  let accuracy = 0;

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = permutation(new Random(mixSeed(options.seed, 100 + epoch)), train.count);
    bar?.start(steps, 0, { epoch, loss: '-' });
    let lossSum = 0;
    for (let step = 0; step < steps; step++) {
      const rows = Math.min(options.batchSize, train.count - step * options.batchSize);
      const batch = new Float32Array(rows * 784);
      const labels = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        const index = order[step * options.batchSize + r];
        const source = images.subarray(index * 784, (index + 1) * 784);
        shiftInto(batch.subarray(r * 784, (r + 1) * 784), source, random, options.shift);
        labels[r] = train.labels[index];
      }
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(batch, [rows, 28, 28, 1]);
        const featurePass = featureNet.forward(features.parameters, x, random);
        const headPass = headNet.forward(head.parameters, featurePass.output, random);
        const logProbabilities = tf.logSoftmax(headPass.output as tf.Tensor2D);
        const target = oneHot(labels, CLASSES);
        const dLogits = tf.div(tf.sub(tf.exp(logProbabilities), target), rows);
        const headGradients = headPass.backward(dLogits, { input: true, parameters: true });
        const featureGradients = featurePass.backward(headGradients.input!, {
          input: false,
          parameters: true,
        });
        head.apply(headGradients.parameters!);
        features.apply(featureGradients.parameters!);
        return tf.div(tf.neg(tf.sum(tf.mul(target, logProbabilities))), rows);
      });
      lossSum += loss.dataSync()[0];
      loss.dispose();
      bar?.update(step + 1, { loss: (lossSum / (step + 1)).toFixed(4) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    bar?.stop();
    accuracy = testAccuracy(features.flatParameters(), head.flatParameters(), test);
    options.log(
      `epoch ${epoch}/${options.epochs} loss ${(lossSum / steps).toFixed(4)} ` +
        `test accuracy ${(accuracy * 100).toFixed(2)}%`,
    );
  }

  saveClassifier(
    options.out,
    {
      name: 'classifier',
      testAccuracy: accuracy,
      training: {
        epochs: options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        seed: options.seed,
        shift: options.shift,
        seconds: Math.round((performance.now() - began) / 1000),
      },
      created: new Date().toISOString(),
    },
    features.flatParameters(),
    head.flatParameters(),
  );
  features.dispose();
  head.dispose();
  options.log(`saved ${options.out} (test accuracy ${(accuracy * 100).toFixed(2)}%)`);
  return accuracy;
}

/**
 * Copies a digit moved by a random whole number of pixels (up to `shift` each way), the
 * uncovered border left as background: a classifier that has seen digits slightly off centre
 * is not thrown by a generator that draws them so.
 */
function shiftInto(target: Float32Array, source: Float32Array, random: Random, shift: number) {
  const dx = shift ? random.below(2 * shift + 1) - shift : 0;
  const dy = shift ? random.below(2 * shift + 1) - shift : 0;
  target.fill(-1);
  for (let y = 0; y < 28; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= 28) continue;
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < 28) target[y * 28 + x] = source[sy * 28 + sx];
    }
  }
}

/** Share of the test split the classifier gets right. */
function testAccuracy(features: Float32Array, head: Float32Array, test: DigitSet): number {
  const manifest = null as never;
  const classifier = Classifier.fromParameters(manifest, features, head);
  const predicted = argmaxRows(
    classifier.judge(toUnitRange(test.images), test.count).probabilities,
    CLASSES,
  );
  classifier.dispose();
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  return correct / test.count;
}
