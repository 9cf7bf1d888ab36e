import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MODEL_NAME, saveGenerator, sha256, type Manifest } from '../model-file.js';
import {
  IMAGE_SIZE,
  LATENT_SIZE,
  SEED_MLP_GENERATOR,
  SEED_MLP_NAME,
  parameterCount,
} from '../seed-mlp.js';
import { readTorchStateDict, type TorchTensor } from './torch-state-dict.js';

/**
 * Turns the tutorial's PyTorch generator (100-32-64-128-784) into a seed-mlp model folder that
 * draws the same digits from the same latents.
 */

/** How the file names its four Linear layers. */
export type KeyLayout = 'sequential' | 'fc';

const LAYER_NAMES: Record<KeyLayout, string[]> = {
  // nn.Sequential numbers every module; LeakyReLU and Dropout (no parameters) take 1, 2, 4...
  sequential: ['0', '3', '6', '9'],
  // The tutorial notebook's module names its layers and applies the activations in forward().
  fc: ['fc1', 'fc2', 'fc3', 'fc4'],
};
const LAYOUT_DESCRIPTIONS: Record<KeyLayout, string> = {
  sequential: 'nn.Sequential',
  fc: 'the tutorial notebook',
};

export interface ImportOptions {
  /** The .pth file, a state_dict saved with torch.save. */
  file: string;
  /** Name of the new model, and of its folder. */
  name: string;
  /** Folder of model folders to write into. */
  models: string;
  /** Replace a model folder of the same name. */
  force: boolean;
}

/** Reads, converts and writes; every refusal names the file and what was expected. */
export function importTorchGenerator(options: ImportOptions): { dir: string; manifest: Manifest } {
  if (!MODEL_NAME.test(options.name)) {
    throw new Error(
      `model name "${options.name}" must be 1 to 64 characters of a-z, 0-9 and "-", starting ` +
        'with a letter or digit (it becomes a folder and a URL parameter)',
    );
  }
  const dir = join(options.models, options.name);
  if (existsSync(dir) && !options.force) {
    throw new Error(`${dir}: a model folder of that name already exists; --force replaces it`);
  }
  if (!existsSync(options.file)) throw new Error(`${options.file}: file not found`);

  const bytes = readFileSync(options.file);
  const { parameters, keys } = seedMlpParameters(
    readTorchStateDict(bytes, options.file),
    options.file,
  );
  const from = basename(options.file);
  const manifest = saveGenerator(
    dir,
    {
      name: options.name,
      architecture: SEED_MLP_NAME,
      latentSize: LATENT_SIZE,
      latentDistribution: 'uniform(-1,1)',
      classes: 0,
      imageSize: IMAGE_SIZE,
      parameters: parameters.length,
      dataset: { name: 'MNIST', source: `imported from ${from}`, split: 'train', count: 60000 },
      training: null,
      imported: { from, sha256: sha256(bytes), keys },
      created: new Date().toISOString(),
    },
    parameters,
  );
  return { dir, manifest };
}

/**
 * Our flat parameter vector [W0, b0, ..., W3, b3] from the PyTorch tensors. PyTorch keeps a
 * Linear weight as out x in and computes x W^T; ours is in x out for x W, so each weight is
 * transposed on the way.
 */
export function seedMlpParameters(
  tensors: Map<string, TorchTensor>,
  file: string,
): { parameters: Float32Array; keys: KeyLayout } {
  const keys = keyLayout([...tensors.keys()], file);
  const sizes = SEED_MLP_GENERATOR.sizes;
  const parameters = new Float32Array(parameterCount(SEED_MLP_GENERATOR));
  let offset = 0;
  LAYER_NAMES[keys].forEach((layer, i) => {
    const [inputs, outputs] = [sizes[i], sizes[i + 1]];
    const weight = checkedTensor(tensors, `${layer}.weight`, [outputs, inputs], file);
    const bias = checkedTensor(tensors, `${layer}.bias`, [outputs], file);
    for (let o = 0; o < outputs; o++) {
      for (let j = 0; j < inputs; j++)
        parameters[offset + j * outputs + o] = weight[o * inputs + j];
    }
    offset += inputs * outputs;
    parameters.set(bias, offset);
    offset += outputs;
  });
  return { parameters, keys };
}

function expectedKeys(layout: KeyLayout): string[] {
  return LAYER_NAMES[layout].flatMap((layer) => [`${layer}.weight`, `${layer}.bias`]);
}

/** Which layout the keys follow, exactly; otherwise what differs from the nearer layout. */
function keyLayout(found: string[], file: string): KeyLayout {
  const layouts = Object.keys(LAYER_NAMES) as KeyLayout[];
  const differences = layouts.map((layout) => {
    const expected = expectedKeys(layout);
    return {
      layout,
      missing: expected.filter((key) => !found.includes(key)),
      unexpected: found.filter((key) => !expected.includes(key)),
    };
  });
  const exact = differences.find((d) => d.missing.length === 0 && d.unexpected.length === 0);
  if (exact) return exact.layout;

  const nearest = differences.reduce((a, b) =>
    b.missing.length + b.unexpected.length < a.missing.length + a.unexpected.length ? b : a,
  );
  const accepted = layouts
    .map((layout) => `${expectedKeys(layout).join(', ')} (${LAYOUT_DESCRIPTIONS[layout]})`)
    .join(' or ');
  const differs = [
    nearest.unexpected.length > 0 ? `unexpected ${nearest.unexpected.join(', ')}` : '',
    nearest.missing.length > 0 ? `missing ${nearest.missing.join(', ')}` : '',
  ].filter(Boolean);
  throw new Error(
    `${file}: expected the keys of the tutorial's generator, ${accepted}; ` +
      `found ${differs.join('; ')}`,
  );
}

function checkedTensor(
  tensors: Map<string, TorchTensor>,
  key: string,
  shape: number[],
  file: string,
): Float32Array {
  const tensor = tensors.get(key)!;
  if (tensor.shape.join() !== shape.join()) {
    const sizes = SEED_MLP_GENERATOR.sizes.join('-');
    throw new Error(
      `${file}: ${key} has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}] ` +
        `(the tutorial's generator is ${sizes}, each Linear weight stored out x in)`,
    );
  }
  return tensor.data;
}
