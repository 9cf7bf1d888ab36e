import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeModelsFolder, type TestModelsFolder } from './support/server-models.js';

const PROJECT_ROOT = join(import.meta.dirname, '..');

let folder: TestModelsFolder;

before(() => {
  folder = writeModelsFolder();
});

after(() => folder.remove());

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mnist-gan serve --port 0 ...args`. Once the server says it listens, asks it `path` and
 * stops it with SIGTERM; a server that fails to start ends by itself.
 */
function serve(args: string[], path = '/models'): Promise<Outcome & { answer?: unknown }> {
  const command = ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', ...args];
  const child = spawn(process.execPath, command, { cwd: PROJECT_ROOT, env: cleanEnv() });
  let stdout = '';
  let stderr = '';
  let answer: unknown;
  let asked = false;
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', async (chunk) => {
    stdout += chunk;
    const listening = /listening on (http:\S+)/.exec(stdout);
    if (!listening || asked) return;
    asked = true;
    try {
      answer = await (await fetch(`${listening[1]}${path}`)).json();
    } finally {
      child.kill('SIGTERM');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, answer });
    });
  });
}

/** The environment without the server's own variables, so the machine's settings cannot leak. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['MNIST_GAN_MODELS', 'MNIST_GAN_MODEL', 'MNIST_GAN_DEFAULT_MODEL', 'PORT']) {
    delete env[name];
  }
  return env;
}

describe('mnist-gan serve --models', () => {
  test('serves every model in the folder, logs each, skips broken/ with one line', async () => {
    const { code, stdout, stderr, answer } = await serve(['--models', folder.root]);

    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      `model cdcgan loaded from ${join(folder.root, 'cdcgan')} ` +
        '(367,777 parameters, untrained, conditional)',
      `model seed-mlp loaded from ${join(folder.root, 'seed-mlp')} (114,800 parameters, untrained)`,
      'default model: cdcgan (used when a request has no ?model)',
    ]);
    assert.match(lines[3], /^listening on http:\/\/127\.0\.0\.1:\d+ \(API docs at \/docs\)$/);
    const manifest = join(folder.root, 'broken', 'manifest.json');
    assert.ok(stderr.startsWith(`skipped model: ${manifest}: not valid JSON (`), stderr);
    assert.equal(stderr.split('\n').length, 2, `stderr is not one line: ${stderr}`);
    const listed = answer as { default: string; models: { name: string }[] };
    assert.equal(listed.default, 'cdcgan');
    assert.deepEqual(
      listed.models.map((model) => model.name),
      ['cdcgan', 'seed-mlp'],
    );
  });

  test('--default-model seed-mlp makes seed-mlp the default', async () => {
    const args = ['--models', folder.root, '--default-model', 'seed-mlp'];
    const { code, stdout, answer } = await serve(args, '/health');

    assert.equal(code, 0);
    assert.match(stdout, /^default model: seed-mlp /m);
    assert.deepEqual(answer, { status: 'ok', model: 'seed-mlp' });
  });

  test('--model DIR serves that one model folder only', async () => {
    const { code, answer } = await serve(['--model', join(folder.root, 'seed-mlp')]);

    assert.equal(code, 0);
    const listed = answer as { default: string; models: { name: string }[] };
    assert.equal(listed.default, 'seed-mlp');
    assert.equal(listed.models.length, 1);
  });

  test('an unknown --default-model: exit 1, one line naming it and the loaded models', async () => {
    const args = ['--models', folder.root, '--default-model', 'nope'];
    const { code, stderr } = await serve(args);

    assert.equal(code, 1);
    assert.equal(
      stderr
        .split('\n')
        .filter((line) => line.startsWith('mnist-gan:'))
        .join('\n'),
      'mnist-gan: default model "nope" is not loaded; loaded models: cdcgan, seed-mlp',
    );
  });

  test('a folder with no model: exit 1, one stderr line naming the folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mnist-gan-no-models-'));
    try {
      const { code, stdout, stderr } = await serve(['--models', empty]);

      assert.equal(code, 1);
      assert.equal(stdout, '');
      assert.equal(
        stderr,
        `mnist-gan: ${empty}: no model could be loaded; ` +
          'each model is a subfolder holding manifest.json and generator.safetensors\n',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a folder that does not exist: exit 1, one stderr line naming it', async () => {
    const missing = join(folder.root, 'no-such-folder');

    const { code, stderr } = await serve(['--models', missing]);

    assert.equal(code, 1);
    assert.equal(stderr, `mnist-gan: ${missing}: models folder not found\n`);
  });
});
