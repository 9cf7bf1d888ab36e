import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { tf } from '../models/backend.js';
import { sha256 } from '../models/model-file.js';
import type { Network } from '../models/net/network.js';
import { decodeSafetensors, encodeSafetensors } from '../models/safetensors.js';
import { CLASSES, classifierFeatures, classifierHead, FEATURE_SIZE } from './classifier-net.js';

/** A classifier folder: `manifest.json` and `classifier.safetensors`. */
export const CLASSIFIER_WEIGHTS = 'classifier.safetensors';
const MANIFEST = 'manifest.json';
const ARCHITECTURE = 'mnist-cnn';

export interface ClassifierManifest {
  name: string;
  architecture: string;
  featureSize: number;
  /** Share of the 10,000 MNIST test digits classified correctly. */
  testAccuracy: number;
  training: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    shift: number;
    seconds: number;
  };
  files: Record<string, { sha256: string; bytes: number }>;
  created: string;
}

/** What the classifier says of a batch of images. */
export interface Judgement {
  /** count x 10 class probabilities. */
  probabilities: Float32Array;
  /** count x 128 penultimate-layer activations. */
  features: Float32Array;
}

/** How many images go through the classifier at once: bounds memory, keeps products large. */
const BATCH = 500;

export class Classifier {
  private constructor(
    readonly manifest: ClassifierManifest,
    private readonly featureNet: Network,
    private readonly headNet: Network,
    private readonly featureParameters: tf.Tensor[],
    private readonly headParameters: tf.Tensor[],
  ) {}

  /** Builds a classifier from flat parameter vectors (training uses this too). */
  static fromParameters(manifest: ClassifierManifest, features: Float32Array, head: Float32Array) {
    const featureNet = classifierFeatures();
    const headNet = classifierHead();
    return new Classifier(
      manifest,
      featureNet,
      headNet,
      featureNet.toTensors(features),
      headNet.toTensors(head),
    );
  }

  static load(dir: string): Classifier {
    const manifestPath = join(dir, MANIFEST);
    const weightsPath = join(dir, CLASSIFIER_WEIGHTS);
    if (!existsSync(manifestPath))
      throw new Error(`${manifestPath}: classifier manifest not found`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ClassifierManifest;
    if (manifest.architecture !== ARCHITECTURE) {
      throw new Error(
        `${manifestPath}: architecture "${manifest.architecture}", expected "${ARCHITECTURE}"`,
      );
    }
    if (!existsSync(weightsPath)) throw new Error(`${weightsPath}: classifier weights not found`);
    const bytes = readFileSync(weightsPath);
    if (sha256(bytes) !== manifest.files?.[CLASSIFIER_WEIGHTS]?.sha256) {
      throw new Error(
        `${weightsPath}: sha256 does not match the manifest (file damaged or replaced)`,
      );
    }
    const { tensors } = decodeSafetensors(bytes, weightsPath);
    if (!tensors.features || !tensors.head) {
      throw new Error(`${weightsPath}: expected tensors "features" and "head"`);
    }
    return Classifier.fromParameters(manifest, tensors.features.data, tensors.head.data);
  }

  /** Class probabilities and features of `count` images (count x 784 values in [-1, 1]). */
  judge(images: Float32Array, count: number): Judgement {
    const probabilities = new Float32Array(count * CLASSES);
    const features = new Float32Array(count * FEATURE_SIZE);
    for (let start = 0; start < count; start += BATCH) {
      const rows = Math.min(BATCH, count - start);
      const [p, f] = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(start * 784, (start + rows) * 784), [
          rows,
          28,
          28,
          1,
        ]);
        const featurePass = this.featureNet.forward(this.featureParameters, x, null);
        const logits = this.headNet.forward(this.headParameters, featurePass.output, null).output;
        return [tf.softmax(logits as tf.Tensor2D), featurePass.output];
      });
      probabilities.set(p.dataSync() as Float32Array, start * CLASSES);
      features.set(f.dataSync() as Float32Array, start * FEATURE_SIZE);
      tf.dispose([p, f]);
    }
    return { probabilities, features };
  }

  dispose(): void {
    tf.dispose([...this.featureParameters, ...this.headParameters]);
  }
}

/** The index of the largest of each row of `columns` values. */
export function argmaxRows(values: Float32Array, columns: number): Int32Array {
  const rows = values.length / columns;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++)
      if (values[r * columns + c] > values[r * columns + best]) best = c;
    out[r] = best;
  }
  return out;
}

export function saveClassifier(
  dir: string,
  manifest: Omit<ClassifierManifest, 'files' | 'architecture' | 'featureSize'>,
  features: Float32Array,
  head: Float32Array,
): void {
  mkdirSync(dir, { recursive: true });
  const weights = encodeSafetensors({
    features: { shape: [features.length], data: features },
    head: { shape: [head.length], data: head },
  });
  writeFileAtomic(join(dir, CLASSIFIER_WEIGHTS), weights);
  const full: ClassifierManifest = {
    ...manifest,
    architecture: ARCHITECTURE,
    featureSize: FEATURE_SIZE,
    files: { [CLASSIFIER_WEIGHTS]: { sha256: sha256(weights), bytes: weights.length } },
  };
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify(full, null, 2) + '\n');
}
