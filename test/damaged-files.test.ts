import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadDigits } from '../src/data/mnist.js';
import { decodePng } from '../src/image/png.js';
import { loadGenerator } from '../src/models/model-file.js';
import { idxBytes } from './fixtures/idx.js';
import { startCli, type Ended } from './support/cli-process.js';
import { temporaryDir } from './fixtures/temp-dir.js';

/**
 * Damaged files are refused with one message naming the file and what is wrong with it: model
 * folders (weights and manifests), IDX data files and training checkpoints. The server comes
 * up with the models that are sound and says which it skipped. Every damaged model is a copy
 * of a shipped one with one thing broken, so nothing but that one thing can be the cause.
 */
const PROJECT_ROOT = join(import.meta.dirname, '..');
const SHIPPED = join(PROJECT_ROOT, 'models');
const WEIGHTS = 'generator.safetensors';
const MANIFEST = 'manifest.json';
/** The shipped seed-mlp's weights file: 8 + 96 header bytes, then 114800 float32 values. */
const SEED_MLP_WEIGHT_BYTES = 459304;

type Json = Record<string, any>;

/** One damaged model: a copy of a shipped model, what breaks it, and the exact refusal. */
interface DamagedModel {
  /** Name of the damaged copy's folder. */
  folder: string;
  /** What is wrong with it, for the test's name. */
  what: string;
  from: 'seed-mlp' | 'cdcgan';
  damage(dir: string): void;
  /** What loading the folder `dir` must say. */
  problem(dir: string): string;
}

function editManifest(dir: string, edit: (manifest: Json) => void): void {
  const path = join(dir, MANIFEST);
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest, null, 2));
}

/** Keeps the first `bytes` bytes of the weights; `rehash` makes the manifest agree with them. */
function cutWeights(dir: string, bytes: number, rehash: boolean): void {
  const path = join(dir, WEIGHTS);
  const kept = readFileSync(path).subarray(0, bytes);
  writeFileSync(path, kept);
  if (!rehash) return;
  const sha256 = createHash('sha256').update(kept).digest('hex');
  editManifest(dir, (manifest) => (manifest.files[WEIGHTS] = { sha256, bytes: kept.length }));
}

const shaMismatch = (dir: string) =>
  `${join(dir, WEIGHTS)}: sha256 does not match the manifest (file damaged or replaced)`;
const FILES_RULE =
  '"files" must be {"generator.safetensors": {"sha256": 64 hex digits, "bytes": its size}}';

const DAMAGED_MODELS: DamagedModel[] = [
  {
    folder: 'weights-sha256-mismatch',
    what: 'weights whose sha256 does not match the manifest',
    from: 'seed-mlp',
    damage(dir) {
      const path = join(dir, WEIGHTS);
      const bytes = readFileSync(path);
      bytes[bytes.length - 1] ^= 0xff;
      writeFileSync(path, bytes);
    },
    problem: shaMismatch,
  },
  {
    folder: 'weights-truncated',
    what: 'weights cut short, as the manifest still describes the whole file',
    from: 'seed-mlp',
    damage: (dir) => cutWeights(dir, 200_000, false),
    problem: shaMismatch,
  },
  {
    folder: 'weights-truncated-rehashed',
    what: 'weights cut short in their data, with a manifest rehashed to match',
    from: 'seed-mlp',
    damage: (dir) => cutWeights(dir, 200_000, true),
    problem: (dir) =>
      `${join(dir, WEIGHTS)}: tensor generator is truncated or its byte range does not match ` +
      'its shape',
  },
  {
    folder: 'weights-header-cut-rehashed',
    what: 'weights cut short in their header, with a manifest rehashed to match',
    from: 'seed-mlp',
    damage: (dir) => cutWeights(dir, 50, true),
    problem: (dir) => `${join(dir, WEIGHTS)}: truncated (header says 96 bytes, file has 42)`,
  },
  {
    folder: 'manifest-without-latent-size',
    what: 'a manifest without latentSize',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => delete manifest.latentSize),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: "latentSize" must be 100 for seed-mlp, it is missing`,
  },
  {
    folder: 'manifest-without-architecture',
    what: 'a manifest without architecture',
    from: 'cdcgan',
    damage: (dir) => editManifest(dir, (manifest) => delete manifest.architecture),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: "architecture" must be one of seed-mlp, cdcgan, it is missing`,
  },
  {
    folder: 'manifest-without-files',
    what: 'a manifest without files (no sha256 to check the weights against)',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => delete manifest.files),
    problem: (dir) => `${join(dir, MANIFEST)}: ${FILES_RULE}, it is missing`,
  },
  {
    folder: 'manifest-latent-size-a-string',
    what: 'a manifest whose latentSize is the string "100"',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.latentSize = '100')),
    problem: (dir) => `${join(dir, MANIFEST)}: "latentSize" must be 100 for seed-mlp, got "100"`,
  },
  {
    folder: 'manifest-seven-classes',
    what: 'a cdcgan manifest that claims 7 classes',
    from: 'cdcgan',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.classes = 7)),
    problem: (dir) => `${join(dir, MANIFEST)}: "classes" must be 10 for cdcgan, got 7`,
  },
  {
    folder: 'manifest-architecture-nope',
    what: 'a manifest of architecture "nope"',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.architecture = 'nope')),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: unknown architecture "nope", expected one of seed-mlp, cdcgan`,
  },
  {
    folder: 'manifest-architecture-tostring',
    what: 'a manifest of architecture "toString"',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.architecture = 'toString')),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: unknown architecture "toString", expected one of seed-mlp, cdcgan`,
  },
  {
    folder: 'manifest-name-with-spaces',
    what: 'a manifest whose name is not a URL-safe model name',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.name = 'Seed MLP')),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: "name" must be a-z, 0-9 and "-", up to 64 characters, ` +
      'got "Seed MLP"',
  },
  {
    folder: 'manifest-sha256-not-hex',
    what: 'a manifest whose sha256 is not 64 hex digits',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.files[WEIGHTS].sha256 = 'abc')),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: ${FILES_RULE}, got ` +
      `{"generator.safetensors":{"sha256":"abc","bytes":${SEED_MLP_WEIGHT_BYTES}}}`,
  },
  {
    folder: 'manifest-wrong-byte-count',
    what: 'a manifest whose byte count disagrees with the weights',
    from: 'seed-mlp',
    damage: (dir) => editManifest(dir, (manifest) => (manifest.files[WEIGHTS].bytes = 1000)),
    problem: (dir) =>
      `${join(dir, MANIFEST)}: "files" gives generator.safetensors 1000 bytes, ` +
      `but the file with that sha256 holds ${SEED_MLP_WEIGHT_BYTES}`,
  },
];

function writeDamagedModel(root: string, model: DamagedModel): string {
  const dir = join(root, model.folder);
  cpSync(join(SHIPPED, model.from), dir, { recursive: true });
  model.damage(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Running the command line as a user does.

/** Asserts a command failed the way a user should see it: exit 1 and exactly `line` on stderr. */
function assertRefusedWith(ended: Ended, line: string): void {
  assert.equal(ended.code, 1, `expected exit 1; stdout: ${ended.stdout} stderr: ${ended.stderr}`);
  assert.equal(ended.stderr, `${line}\n`);
}

/** A folder of MNIST-layout training files holding four digits, each 28 x 28. */
function writeDataFolder(dir: string, cut: { images?: number; labels?: number } = {}): string {
  mkdirSync(dir, { recursive: true });
  const pixels = Array.from({ length: 4 * 28 * 28 }, (_, i) => i % 256);
  const images = idxBytes([4, 28, 28], pixels);
  const labels = idxBytes([4], [5, 0, 4, 1]);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), images.subarray(0, cut.images));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels.subarray(0, cut.labels));
  return dir;
}

// ---------------------------------------------------------------------------------------------

describe('a damaged model folder is refused, naming the file and the problem', () => {
  const root = temporaryDir('damaged-models');

  for (const model of DAMAGED_MODELS) {
    test(`refuses ${model.what} (${model.folder}/)`, () => {
      const dir = writeDamagedModel(root, model);

      assert.throws(() => loadGenerator(dir), { message: model.problem(dir) });
    });
  }
});

describe('a damaged IDX file is refused, naming the file and the problem', () => {
  const root = temporaryDir('damaged-idx');

  test('loadDigits: an images file cut 100 bytes short of its pixels says "truncated"', () => {
    const dir = writeDataFolder(join(root, 'pixels-cut'), { images: 16 + 3136 - 100 });

    assert.throws(() => loadDigits(dir, 'train'), {
      message:
        `${join(dir, 'train-images-idx3-ubyte')}: IDX header declares shape [4, 28, 28] = ` +
        '3136 bytes of data, but the file holds 3036 (truncated)',
    });
  });

  test('loadDigits: a labels file cut inside its header says "truncated"', () => {
    const dir = writeDataFolder(join(root, 'header-cut'), { labels: 6 });

    assert.throws(() => loadDigits(dir, 'train'), {
      message:
        `${join(dir, 'train-labels-idx1-ubyte')}: IDX header is truncated ` +
        '(1 dimensions need 8 bytes of header, the file holds 6)',
    });
  });

  test('train --data: exit 1, one stderr line naming the file and "truncated"', async () => {
    const dir = writeDataFolder(join(root, 'cli'), { images: 16 + 3136 - 100 });
    const out = join(root, 'cli-run');

    const ended = await startCli(['train', '--data', dir, '--out', out, '--no-progress']).ended;

    assertRefusedWith(
      ended,
      `mnist-gan: ${join(dir, 'train-images-idx3-ubyte')}: IDX header declares shape ` +
        '[4, 28, 28] = 3136 bytes of data, but the file holds 3036 (truncated)',
    );
  });
});

describe('a checkpoint of another architecture is refused', () => {
  test('resuming a seed-mlp run as cdcgan: exit 1, one line naming the file and both', async () => {
    const root = temporaryDir('other-architecture');
    const data = writeDataFolder(join(root, 'data'));
    const out = join(root, 'run');
    const common = ['--data', data, '--out', out, '--no-progress'];
    const seedMlpRun = ['train', '--architecture', 'seed-mlp', '--epochs', '1', ...common];
    const first = await startCli(seedMlpRun).ended;
    assert.equal(first.code, 0, first.stderr);

    const resumed = startCli(['train', '--architecture', 'cdcgan', '--resume', ...common]);

    assertRefusedWith(
      await resumed.ended,
      `mnist-gan: ${join(out, 'checkpoint.safetensors')}: checkpoint of architecture ` +
        '"seed-mlp", expected "cdcgan"; resume it with --architecture seed-mlp',
    );
  });
});

describe('mnist-gan serve on a models folder with damaged models', () => {
  test('serves the sound models and writes one "skipped model" line per damaged one', async () => {
    const models = temporaryDir('serve-damaged');
    for (const name of ['seed-mlp', 'cdcgan']) {
      cpSync(join(SHIPPED, name), join(models, name), { recursive: true });
    }
    const skipLines = DAMAGED_MODELS.map(
      (model) => `skipped model: ${model.problem(writeDamagedModel(models, model))}`,
    );
    const args = ['serve', '--models', models, '--port', '0', '--workers', '1'];
    args.push('--log-level', 'silent', '--runs', join(models, 'no-runs'));

    const server = startCli(args);
    const listening = await new Promise<string>((resolve, reject) => {
      server.child.stdout.on('data', () => {
        const found = /listening on (http:\S+)/.exec(server.output.stdout);
        if (found) resolve(found[1]);
      });
      server.ended.then((ended) => reject(new Error(`serve ended: ${ended.stderr}`)));
    });
    const asked = askModelsAndDigit(listening);
    await asked.catch(() => {});
    server.child.kill('SIGTERM');
    const ended = await server.ended;
    const { listed, drawn } = await asked;

    assert.equal(ended.code, 0, ended.stderr);
    assert.deepEqual(
      listed.models.map((model) => model.name),
      ['cdcgan', 'seed-mlp'],
    );
    assert.equal(drawn.status, 200);
    assert.equal(drawn.type, 'image/png');
    assert.deepEqual([drawn.png.width, drawn.png.height], [28, 28]);
    assert.deepEqual(ended.stderr.trimEnd().split('\n').sort(), skipLines.sort());
  });
});

/** What the server answers to GET /models and to GET /generate?seed=1. */
async function askModelsAndDigit(base: string) {
  const listed = (await (await fetch(`${base}/models`)).json()) as { models: { name: string }[] };
  const response = await fetch(`${base}/generate?seed=1`);
  const drawn = {
    status: response.status,
    type: response.headers.get('content-type'),
    png: decodePng(Buffer.from(await response.arrayBuffer())),
  };
  return { listed, drawn };
}
