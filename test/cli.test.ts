import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCli } from './support/cli-process.js';

test('mnist-gan --version prints the package version, 0.1.0, and exits 0', async () => {
  const { code, stdout } = await startCli(['--version']).ended;
  assert.equal(code, 0);
  assert.equal(stdout, '0.1.0\n');
});
