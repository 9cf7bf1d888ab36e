import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { buildApp } from '../src/serve/app.js';
import { ModelRegistry } from '../src/serve/model-registry.js';
import { writeUntrainedModel, type TestModel } from './support/server-model.js';

const PROJECT_ROOT = join(import.meta.dirname, '..');

let model: TestModel;
let registry: ModelRegistry;
let app: FastifyInstance;

before(async () => {
  await useBackend('wasm');
  model = writeUntrainedModel();
  registry = new ModelRegistry([Generator.load(model.dir)]);
  app = await buildApp({ registry, corsOrigins: [] });
  // A route that fails the way a bug would, with a path in its message.
  app.get('/fails', async () => {
    throw new Error('cannot open /home/someone/secret/weights.bin');
  });
});

after(async () => {
  await app.close();
  registry.dispose();
  model.remove();
});

/** A Content-Security-Policy header as a map from directive to its sources. */
function directives(header: unknown): Record<string, string> {
  const entries = String(header)
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [name, ...sources] = part.split(/\s+/);
      return [name, sources.join(' ')];
    });
  return Object.fromEntries(entries);
}

describe('security headers', () => {
  test('the page and the API answer with the CSP: no inline script, no framing', async () => {
    for (const url of ['/', '/generate?seed=1', '/health', '/no-such-route']) {
      const response = await app.inject({ url });

      assert.deepEqual(
        directives(response.headers['content-security-policy']),
        {
          'default-src': "'self'",
          'script-src': "'self'",
          'script-src-attr': "'none'",
          'style-src': "'self'",
          'img-src': "'self' data:",
          'connect-src': "'self'",
          'font-src': "'self'",
          'object-src': "'none'",
          'base-uri': "'self'",
          'form-action': "'self'",
          'frame-ancestors': "'none'",
        },
        url,
      );
    }
  });

  test('every answer says nosniff, and images may be shown by other sites', async () => {
    const response = await app.inject({ url: '/generate?seed=1' });

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(response.headers['strict-transport-security'], undefined);
  });

  test('Swagger UI at /docs gets its own CSP: inline styles, no inline script', async () => {
    const page = await app.inject({ url: '/docs' });
    const script = await app.inject({ url: '/docs/static/swagger-initializer.js' });

    assert.equal(page.statusCode, 200);
    assert.equal(script.statusCode, 200);
    const csp = directives(page.headers['content-security-policy']);
    assert.equal(csp['script-src'], "'self'");
    assert.equal(csp['style-src'], "'self' 'unsafe-inline'");
    assert.equal(csp['img-src'], "'self' data:");
    assert.equal(csp['frame-ancestors'], "'none'");
    assert.doesNotMatch(page.body, /<script>/);
  });
});

describe('errors', () => {
  test('an internal error answers the generic 500, without message, stack or path', async () => {
    const response = await app.inject({ url: '/fails' });

    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), {
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'the server failed to answer',
    });
    assert.doesNotMatch(response.body, /secret|home|at /);
  });
});

describe('rate limit', () => {
  test('off by default: 20 quick requests all answer 200', async () => {
    for (let i = 0; i < 20; i++) {
      assert.equal((await app.inject({ url: '/models' })).statusCode, 200);
    }
  });

  test('with rateLimit 3, the fourth request in a minute gets a JSON 429', async () => {
    const limited = await buildApp({ registry, corsOrigins: [], rateLimit: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await limited.inject({ url: '/models' })).statusCode);
      const refused = await limited.inject({ url: '/generate?seed=1' });

      assert.deepEqual(statuses, [200, 200, 200]);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
      const body = refused.json();
      assert.equal(body.statusCode, 429);
      assert.equal(body.error, 'Too Many Requests');
      assert.match(body.message, /^more than 3 requests a minute from this address; retry in /);
      assert.equal(refused.headers['x-ratelimit-limit'], '3');
      assert.ok(Number(refused.headers['retry-after']) > 0);
    } finally {
      await limited.close();
    }
  });

  test('probes and scrapes are never limited', async () => {
    const limited = await buildApp({ registry, corsOrigins: [], rateLimit: 1 });
    try {
      for (const url of ['/health', '/ready', '/metrics', '/health', '/ready', '/metrics']) {
        assert.equal((await limited.inject({ url })).statusCode, 200, url);
      }
    } finally {
      await limited.close();
    }
  });
});

describe('mnist-gan serve --help', () => {
  test('lists every serve option with its environment variable and default', async () => {
    const args = ['--import', 'tsx', 'src/cli.ts', 'serve', '--help'];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: PROJECT_ROOT });
    const help = stdout.replace(/\s+/g, ' ');

    assert.match(
      help,
      /--host <address> address to listen on \(default: "127\.0\.0\.1", env: HOST\)/,
    );
    assert.match(
      help,
      /--log-level <level> .*\(choices: .*"silent", default: "info", env: MNIST_GAN_LOG_LEVEL\)/,
    );
    assert.match(help, /--rate-limit <n> .*\(env: MNIST_GAN_RATE_LIMIT\)/);
    assert.match(
      help,
      /--request-timeout-ms <ms> .*\(default: 10000, env: MNIST_GAN_REQUEST_TIMEOUT_MS\)/,
    );
  });
});
