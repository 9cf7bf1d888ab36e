import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import { ARCHITECTURES } from '../src/models/architectures.js';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import {
  importTorchGenerator,
  seedMlpParameters,
} from '../src/models/import/seed-mlp-from-torch.js';
import { readTorchStateDict } from '../src/models/import/torch-state-dict.js';
import { loadGenerator } from '../src/models/model-file.js';
import { temporaryDir } from './fixtures/temp-dir.js';
import {
  fileWithPickle,
  generatorTensors,
  PickleWriter,
  REDUCE,
  STOP,
  stateDictFile,
  TUPLE1,
  type TensorSpec,
} from './fixtures/torch/pth.js';

const PROJECT_ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'torch');
// The peer's file lives in the shared folder beside the repository, in CI as here.
const PEER_FILE = join(
  PROJECT_ROOT,
  '..',
  'shared',
  'peers',
  'seed-pytorch',
  'generator_epoch10.pth',
);
const FC_FILE = join(FIXTURES, 'generator-fc.pth');

/** Three latents and PyTorch's output for each file (eval mode), from make-fixtures.py. */
const REFERENCE: { latents: number[][]; outputs: Record<string, number[][]> } = JSON.parse(
  readFileSync(join(FIXTURES, 'reference-outputs.json'), 'utf8'),
);

const SEQUENTIAL_LAYERS = ['0', '3', '6', '9'];

/** Largest |ours - PyTorch's| over all pixels of the reference latents. */
function maxDifferenceFromTorch(dir: string, reference: number[][]): number {
  const { parameters } = loadGenerator(dir);
  const runner = ARCHITECTURES['seed-mlp'].load(parameters);
  const ours = runner.run(Float32Array.from(REFERENCE.latents.flat()), null, 3);
  runner.dispose();
  const theirs = reference.flat();
  assert.equal(ours.length, theirs.length);
  return ours.reduce((worst, value, i) => Math.max(worst, Math.abs(value - theirs[i])), 0);
}

describe('importing a PyTorch generator', () => {
  const models = temporaryDir('import');
  before(() => useBackend('wasm'));

  test("the peer's generator_epoch10.pth (keys 0.weight...9.bias) draws what PyTorch draws", () => {
    const { dir, manifest } = importTorchGenerator({
      file: PEER_FILE,
      name: 'peer-epoch10',
      models,
      force: false,
    });

    assert.equal(dir, join(models, 'peer-epoch10'));
    assert.ok(maxDifferenceFromTorch(dir, REFERENCE.outputs['generator_epoch10.pth']) <= 1e-5);
    assert.deepEqual(manifest.imported, {
      from: 'generator_epoch10.pth',
      sha256: 'a1c836f71594d1f0921ecd0029e9847243395eddf58d428ae0f7ddf08ef3e6df',
      keys: 'sequential',
    });
  });

  test('the notebook layout (keys fc1.weight...fc4.bias) draws what PyTorch draws', () => {
    const { dir, manifest } = importTorchGenerator({
      file: FC_FILE,
      name: 'notebook',
      models,
      force: false,
    });

    assert.ok(maxDifferenceFromTorch(dir, REFERENCE.outputs['generator-fc.pth']) <= 1e-5);
    assert.equal(manifest.imported?.keys, 'fc');
  });

  test('writes a seed-mlp manifest that says where the weights came from', () => {
    const { dir } = importTorchGenerator({ file: FC_FILE, name: 'manifest', models, force: false });

    const onDisk = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(onDisk.name, 'manifest');
    assert.equal(onDisk.architecture, 'seed-mlp');
    assert.equal(onDisk.latentSize, 100);
    assert.equal(onDisk.latentDistribution, 'uniform(-1,1)');
    assert.equal(onDisk.classes, 0);
    assert.equal(onDisk.imageSize, 28);
    assert.equal(onDisk.parameters, 114800);
    assert.deepEqual(onDisk.dataset, {
      name: 'MNIST',
      source: 'imported from generator-fc.pth',
      split: 'train',
      count: 60000,
    });
    assert.equal(onDisk.training, null);
    assert.equal(onDisk.imported.from, 'generator-fc.pth');
  });

  test('transposes each out x in weight to our in x out, each bias after its weight', () => {
    const tensors = generatorTensors(SEQUENTIAL_LAYERS);
    // 0.weight[o][i] = 1000 o + i, so every value says where it came from.
    tensors['0.weight'].values = Array.from(
      { length: 3200 },
      (_, k) => 1000 * ((k / 100) | 0) + (k % 100),
    );
    tensors['0.bias'].values = [0.5, 1.5];
    tensors['3.weight'].values = Array.from({ length: 2048 }, (_, k) => k);

    const file = 'layout.pth';
    const { parameters } = seedMlpParameters(
      readTorchStateDict(stateDictFile(tensors), file),
      file,
    );

    // W0 is 100 x 32: input i, output o at 32 i + o.
    assert.equal(parameters[0], 0);
    assert.equal(parameters[1], 1000); // i 0, o 1
    assert.equal(parameters[32], 1); // i 1, o 0
    assert.equal(parameters[99 * 32 + 31], 31099); // i 99, o 31
    // b0 follows W0 at 3200, then W1 (32 x 64) at 3232: 3.weight[o 2][i 5] is 2 * 32 + 5.
    assert.equal(parameters[3200], 0.5);
    assert.equal(parameters[3201], 1.5);
    assert.equal(parameters[3232 + 5 * 64 + 2], 69);
  });

  test('refuses to replace an existing model folder unless forced', () => {
    importTorchGenerator({ file: FC_FILE, name: 'twice', models, force: false });

    assert.throws(
      () => importTorchGenerator({ file: FC_FILE, name: 'twice', models, force: false }),
      {
        message:
          `${join(models, 'twice')}: a model folder of that name already exists; ` +
          '--force replaces it',
      },
    );
    assert.doesNotThrow(() =>
      importTorchGenerator({ file: FC_FILE, name: 'twice', models, force: true }),
    );
  });

  test('refuses a name that cannot be a folder and a URL parameter', () => {
    for (const name of ['Peer', 'peer_10', '-peer', '', 'a'.repeat(65), '../up']) {
      assert.throws(() => importTorchGenerator({ file: FC_FILE, name, models, force: false }), {
        message:
          `model name "${name}" must be 1 to 64 characters of a-z, 0-9 and "-", starting with ` +
          'a letter or digit (it becomes a folder and a URL parameter)',
      });
    }
  });
});

describe('refusing files that are not the tutorial generator as a state_dict', () => {
  const root = temporaryDir('import-refusals');
  const models = join(root, 'models');

  /** Writes the bytes as <root>/<fileName> and returns the import of it, named after the file. */
  function importBytes(bytes: Uint8Array, fileName: string): () => void {
    const file = join(root, fileName);
    writeFileSync(file, bytes);
    const name = fileName.replace(/\.pth$/, '');
    return () => importTorchGenerator({ file, name, models, force: false });
  }

  function withChanges(changes: Record<string, Partial<TensorSpec>>): Uint8Array {
    const tensors = generatorTensors(SEQUENTIAL_LAYERS);
    for (const [key, change] of Object.entries(changes)) Object.assign(tensors[key], change);
    return stateDictFile(tensors);
  }

  test('a file built as these refusals are, but sound, imports: each refusal is its flaw', () => {
    assert.doesNotThrow(importBytes(withChanges({}), 'sound.pth'));
    assert.ok(existsSync(join(models, 'sound', 'manifest.json')));
  });

  test('random bytes: not a ZIP archive', () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 73 + 11) % 256);
    const run = importBytes(bytes, 'random.pth');

    assert.throws(run, {
      message:
        `${join(root, 'random.pth')}: not a readable ZIP archive (invalid zip data); expected a ` +
        'file written by torch.save, a ZIP archive since PyTorch 1.6',
    });
  });

  test('a ZIP archive without <folder>/data.pkl', () => {
    const bytes = zipSync({
      'generator/version': new TextEncoder().encode('3\n'),
      'generator/data/0': new Uint8Array(4),
    });
    const run = importBytes(bytes, 'no-pickle.pth');

    assert.throws(run, {
      message:
        `${join(root, 'no-pickle.pth')}: expected exactly one <folder>/data.pkl in the ZIP ` +
        'archive, as torch.save writes, found none',
    });
  });

  test('a pickle that asks for os.system is refused at the global, and nothing runs', () => {
    const marker = join(root, 'os-system-ran');
    const pickle = new PickleWriter()
      .proto(2)
      .global('os', 'system')
      .unicode(`touch ${marker}`)
      .op(TUPLE1)
      .op(REDUCE)
      .op(STOP)
      .bytes();
    const run = importBytes(fileWithPickle(pickle), 'os-system.pth');

    assert.throws(run, (error: Error) => {
      const expected =
        `${join(root, 'os-system.pth')} (generator/data.pkl): refused the global "os.system": ` +
        'only PyTorch state_dicts are accepted';
      assert.ok(error.message.startsWith(expected), error.message);
      return true;
    });
    assert.equal(existsSync(marker), false);
  });

  test('other globals that could run code are refused by name too', () => {
    for (const [module, name] of [
      ['builtins', 'eval'],
      ['subprocess', 'Popen'],
      ['__main__', 'Generator'],
    ]) {
      const pickle = new PickleWriter().proto(2).global(module, name).op(STOP).bytes();

      assert.throws(importBytes(fileWithPickle(pickle), 'global.pth'), {
        message: new RegExp(`refused the global "${module}\\.${name}": only PyTorch state_dicts`),
      });
    }
  });

  test('weights of another shape (a 100-64-64-128-784 net)', () => {
    const bytes = stateDictFile(generatorTensors(SEQUENTIAL_LAYERS, [100, 64, 64, 128, 784]));

    assert.throws(importBytes(bytes, 'wider.pth'), {
      message:
        `${join(root, 'wider.pth')}: 0.weight has shape [64, 100], expected [32, 100] (the ` +
        "tutorial's generator is 100-32-64-128-784, each Linear weight stored out x in)",
    });
  });

  test('keys that are neither layout', () => {
    const tensors = generatorTensors(SEQUENTIAL_LAYERS);
    tensors['10.bias'] = tensors['9.bias'];
    delete tensors['9.bias'];

    assert.throws(importBytes(stateDictFile(tensors), 'keys.pth'), {
      message:
        `${join(root, 'keys.pth')}: expected the keys of the tutorial's generator, 0.weight, ` +
        '0.bias, 3.weight, 3.bias, 6.weight, 6.bias, 9.weight, 9.bias (nn.Sequential) or ' +
        'fc1.weight, fc1.bias, fc2.weight, fc2.bias, fc3.weight, fc3.bias, fc4.weight, ' +
        'fc4.bias (the tutorial notebook); found unexpected 10.bias; missing 9.bias',
    });
  });

  test('a storage cut short', () => {
    const bytes = withChanges({ '9.weight': { storageBytes: 1000 } });

    assert.throws(importBytes(bytes, 'truncated.pth'), {
      message:
        `${join(root, 'truncated.pth')}: generator/data/6 holds 1000 bytes, expected 401408 ` +
        '(100352 float32 values); the file is truncated or damaged',
    });
  });

  test('float64 tensors', () => {
    const bytes = withChanges({ '0.weight': { storageType: 'torch.DoubleStorage' } });

    assert.throws(importBytes(bytes, 'double.pth'), {
      message:
        `${join(root, 'double.pth')}: generator/data/0 holds float64 values, expected float32 ` +
        '(torch.float)',
    });
  });

  test('a tensor that is a strided view, not contiguous', () => {
    const bytes = withChanges({ '0.weight': { stride: [1, 32] } });

    assert.throws(importBytes(bytes, 'strided.pth'), {
      message:
        `${join(root, 'strided.pth')}: tensor 0.weight has strides [1, 32] for shape [32, 100], ` +
        'expected the contiguous [100, 1]; save tensor.contiguous() instead',
    });
  });
});

describe('mnist-gan import', () => {
  const root = temporaryDir('import-cli');
  const run = promisify(execFile);
  before(() => useBackend('wasm'));

  test('writes a model folder that Generator.load serves, and says so in one line', async () => {
    const args = [
      '--import',
      'tsx',
      'src/cli.ts',
      'import',
      PEER_FILE,
      '--name',
      'x',
      '--models',
      root,
    ];

    const { stdout, stderr } = await run(process.execPath, args, { cwd: PROJECT_ROOT });

    const dir = join(root, 'x');
    assert.equal(stdout, `imported generator_epoch10.pth (sequential keys) as model x in ${dir}\n`);
    assert.equal(stderr, '');
    const generator = Generator.load(dir);
    assert.equal(generator.name, 'x');
    assert.equal(generator.generate([1, 2]).length, 2);
    generator.dispose();
  });

  test('a file that is not a .pth: exit 1 and one stderr line naming the file', async () => {
    const file = join(root, 'notes.pth');
    writeFileSync(file, 'not a checkpoint\n');
    const args = ['--import', 'tsx', 'src/cli.ts', 'import', file, '--name', 'y', '--models', root];

    const outcome = await run(process.execPath, args, { cwd: PROJECT_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );

    assert.equal(outcome.code, 1);
    assert.equal(
      outcome.stderr,
      `mnist-gan: ${file}: not a readable ZIP archive (invalid zip data); expected a file ` +
        'written by torch.save, a ZIP archive since PyTorch 1.6\n',
    );
    assert.equal(existsSync(join(root, 'y')), false);
  });
});
