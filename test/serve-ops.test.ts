import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { buildApp } from '../src/serve/app.js';
import { ModelRegistry } from '../src/serve/model-registry.js';
import { writeUntrainedModel, type TestModel } from './support/server-model.js';

const PROJECT_ROOT = join(import.meta.dirname, '..');

let model: TestModel;
let registry: ModelRegistry;

before(async () => {
  await useBackend('wasm');
  model = writeUntrainedModel();
  registry = new ModelRegistry([Generator.load(model.dir)]);
});

after(() => {
  registry.dispose();
  model.remove();
});

describe('GET /metrics', () => {
  test('counts a request just made by route and status, and the batch sizes drawn', async () => {
    const app = await buildApp({ registry, corsOrigins: [] });
    try {
      await app.inject({ url: '/generate?seed=3' });
      await app.inject({ method: 'POST', url: '/generate', payload: { count: 5, seed: 1 } });
      await app.inject({ url: '/generate?seed=-1' });
      const response = await app.inject({ url: '/metrics' });
      const text = response.body;

      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      assert.match(
        text,
        /^mnist_gan_http_requests_total\{method="GET",route="\/generate",status="200"\} 1$/m,
      );
      assert.match(
        text,
        /^mnist_gan_http_requests_total\{method="POST",route="\/generate",status="200"\} 1$/m,
      );
      assert.match(
        text,
        /^mnist_gan_http_requests_total\{method="GET",route="\/generate",status="400"\} 1$/m,
      );
      assert.match(
        text,
        /^mnist_gan_http_request_duration_seconds_count\{method="GET",route="\/generate"\} 2$/m,
      );
      // One pass of 1 image and one of 5: one in the bucket le=1, both by le=8.
      assert.match(text, /^mnist_gan_batch_size_bucket\{le="1"\} 1$/m);
      assert.match(text, /^mnist_gan_batch_size_bucket\{le="8"\} 2$/m);
      assert.match(text, /^mnist_gan_batch_size_sum 6$/m);
      assert.match(text, /^mnist_gan_models_loaded 1$/m);
      // The untrained seed-mlp's weights and biases, four layers: nothing left from requests.
      assert.match(text, /^mnist_gan_live_tensors 8$/m);
      assert.match(text, /^process_cpu_user_seconds_total /m);
    } finally {
      await app.close();
    }
  });

  test('a URL that matches no route is counted under route="unmatched"', async () => {
    const app = await buildApp({ registry, corsOrigins: [] });
    try {
      await app.inject({ url: '/no/such/thing' });
      const text = (await app.inject({ url: '/metrics' })).body;

      assert.match(
        text,
        /^mnist_gan_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m,
      );
      assert.doesNotMatch(text, /no\/such\/thing/);
    } finally {
      await app.close();
    }
  });
});

describe('GET /health and GET /ready', () => {
  test('/ready answers 200 while serving, then 503 once draining; /health stays 200', async () => {
    const readiness = { draining: false };
    const app = await buildApp({ registry, corsOrigins: [], readiness });
    try {
      const before = await app.inject({ url: '/ready' });
      readiness.draining = true;
      const during = await app.inject({ url: '/ready' });
      const health = await app.inject({ url: '/health' });

      assert.equal(before.statusCode, 200);
      assert.deepEqual(before.json(), { status: 'ready', models: 1 });
      assert.equal(during.statusCode, 503);
      assert.deepEqual(during.json(), {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'the server is shutting down and finishing the requests it has',
      });
      assert.equal(health.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('request ids and logs', () => {
  test('a plain X-Request-Id is kept and echoed; a missing or odd one is replaced', async () => {
    const app = await buildApp({ registry, corsOrigins: [] });
    try {
      const given = await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
      const missing = await app.inject({ url: '/health' });
      const odd = await app.inject({ url: '/health', headers: { 'x-request-id': 'a b<script>' } });

      assert.equal(given.headers['x-request-id'], 'abc-123');
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      assert.match(String(missing.headers['x-request-id']), uuid);
      assert.match(String(odd.headers['x-request-id']), uuid);
    } finally {
      await app.close();
    }
  });

  test('each request writes one JSON line at info with its reqId, status and time', async () => {
    const lines: string[] = [];
    const logStream = { write: (line: string) => lines.push(line) };
    const app = await buildApp({ registry, corsOrigins: [], logLevel: 'info', logStream });
    try {
      await app.inject({ url: '/generate?seed=1', headers: { 'x-request-id': 'req-7' } });

      assert.equal(lines.length, 1, lines.join(''));
      const entry = JSON.parse(lines[0]);
      assert.equal(entry.level, 30);
      assert.equal(entry.reqId, 'req-7');
      assert.equal(entry.msg, 'request');
      assert.equal(entry.method, 'GET');
      assert.equal(entry.url, '/generate?seed=1');
      assert.equal(entry.status, 200);
      assert.equal(typeof entry.ms, 'number');
    } finally {
      await app.close();
    }
  });

  test('logLevel "silent" writes no request lines', async () => {
    const lines: string[] = [];
    const logStream = { write: (line: string) => lines.push(line) };
    const app = await buildApp({ registry, corsOrigins: [], logLevel: 'silent', logStream });
    try {
      await app.inject({ url: '/health' });

      assert.deepEqual(lines, []);
    } finally {
      await app.close();
    }
  });
});

describe('mnist-gan serve on SIGTERM', () => {
  test('requests in flight finish with 200, then the process exits 0', async () => {
    // Each request waits up to 1 s for others to share its forward pass, so all four are
    // still in flight when SIGTERM arrives 0.5 s after they were sent.
    const args = ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--workers', '1'];
    args.push('--model', model.dir, '--batch-wait-ms', '1000', '--batch-max', '4096');
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<string>((resolve) =>
      child.on('close', (code, signal) => resolve(`${code} ${signal}`)),
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      const base = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          const listening = /listening on (http:\S+)/.exec(stdout);
          if (listening) resolve(listening[1]);
        });
        child.once('close', () => reject(new Error(`serve stopped: ${stderr}`)));
      });

      const answers = [1, 2, 3, 4].map((seed) =>
        fetch(`${base}/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': `drain-${seed}` },
          body: JSON.stringify({ count: 256, seed }),
        }).then(async (response) => ({
          status: response.status,
          images: ((await response.json()) as { images: unknown[] }).images.length,
        })),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGTERM');

      assert.deepEqual(await Promise.all(answers), [
        { status: 200, images: 256 },
        { status: 200, images: 256 },
        { status: 200, images: 256 },
        { status: 200, images: 256 },
      ]);
      assert.equal(await exited, '0 null', stderr);
      const logged = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      assert.deepEqual(logged.map((entry) => [entry.reqId, entry.status]).sort(), [
        ['drain-1', 200],
        ['drain-2', 200],
        ['drain-3', 200],
        ['drain-4', 200],
      ]);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});
