import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCli, type Ended } from './support/cli-process.js';
import { writeModelsFolder, type TestModelsFolder } from './support/server-models.js';

let folder: TestModelsFolder;

before(() => {
  folder = writeModelsFolder();
});

after(() => folder.remove());

/**
 * Runs `mnist-gan serve --port 0 ...args`. Once the server says it listens, asks it `path` and
 * stops it with SIGTERM; a server that fails to start ends by itself.
 */
function serve(args: string[], path = '/models'): Promise<Ended & { answer?: unknown }> {
  const { child, output, ended } = startCli(['serve', '--port', '0', ...args], 20_000);
  let answer: unknown;
  let asked = false;
  child.stdout.on('data', async () => {
    const listening = /listening on (http:\S+)/.exec(output.stdout);
    if (!listening || asked) return;
    asked = true;
    try {
      answer = await (await fetch(`${listening[1]}${path}`)).json();
    } finally {
      child.kill('SIGTERM');
    }
  });
  return ended.then((outcome) => ({ ...outcome, answer }));
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
