import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { buildApp } from '../src/serve/app.js';
import { ModelRegistry } from '../src/serve/model-registry.js';
import { runsRoute } from '../src/serve/routes/runs.js';
import { writeUntrainedModel, type TestModel } from './support/server-model.js';
import { FIRST_RUN, lossesOf, writeRunsFolder, type TestRunsFolder } from './support/web-runs.js';

let model: TestModel;
let generator: Generator;
let runs: TestRunsFolder;
let app: FastifyInstance;

before(async () => {
  await useBackend('wasm');
  model = writeUntrainedModel();
  generator = Generator.load(model.dir);
  runs = writeRunsFolder();
  app = await newApp(runs.dir);
});

after(async () => {
  await app.close();
  generator.dispose();
  model.remove();
  runs.remove();
});

function newApp(runsDir?: string): Promise<FastifyInstance> {
  return buildApp({ registry: new ModelRegistry([generator]), corsOrigins: [], runs: runsDir });
}

async function get(url: string) {
  return app.inject({ method: 'GET', url });
}

/**
 * Opens an event stream on its own connection (node:http without keep-alive), so closing it
 * closes the socket at once, and reads whole server-sent events from it.
 */
function openStream(url: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { agent: false }, (response) => {
      response.setEncoding('utf8');
      let buffered = '';
      let ended = false;
      let wake = () => {};
      response.on('data', (chunk: string) => {
        buffered += chunk;
        wake();
      });
      response.on('close', () => {
        ended = true;
        wake();
      });
      const next = async (): Promise<ServerEvent | null> => {
        for (;;) {
          const end = buffered.indexOf('\n\n');
          if (end >= 0) {
            const lines = buffered.slice(0, end).split('\n');
            buffered = buffered.slice(end + 2);
            const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
            const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
            if (event && data) return { event, data: JSON.parse(data) };
            continue;
          }
          if (ended) return null;
          await new Promise<void>((resume) => (wake = resume));
        }
      };
      resolve({
        status: response.statusCode ?? 0,
        contentType: String(response.headers['content-type']),
        next,
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

interface ServerEvent {
  event: string;
  data: any;
}

interface EventStream {
  status: number;
  contentType: string;
  /** The next whole event; null once the server has ended the stream. */
  next(): Promise<ServerEvent | null>;
  close(): void;
}

describe('GET /runs', () => {
  test('lists the subfolders holding a losses.csv, with their epochs, nothing else', async () => {
    const response = await get('/runs');

    assert.equal(response.statusCode, 200);
    const body = response.json() as { runs: { name: string; epochs: number; updated: string }[] };
    assert.deepEqual(
      body.runs.map(({ name, epochs }) => ({ name, epochs })),
      [{ name: 'first-run', epochs: 2 }],
    );
    assert.ok(!Number.isNaN(Date.parse(body.runs[0].updated)), 'updated is a date');
  });

  test('lists no runs when the folder does not exist or none was given', async () => {
    for (const dir of [join(runs.dir, 'missing'), undefined]) {
      const other = await newApp(dir);
      const response = await other.inject('/runs');
      await other.close();

      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { runs: [] });
    }
  });
});

describe('GET /runs/:name', () => {
  test("answers the run's losses per epoch and the epochs that have a sample grid", async () => {
    const response = await get(`/runs/${FIRST_RUN}`);

    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.name, 'first-run');
    assert.equal(body.epochs, 2);
    assert.deepEqual(body.losses, [
      { epoch: 1, discriminator: 1.5, generator: 1.8, seconds: 12.5 },
      { epoch: 2, discriminator: 1.25, generator: 1.3, seconds: 12.5 },
    ]);
    assert.deepEqual(body.samples, [1, 2]);
  });

  test('answers 404 for a name that is no run: unknown, without losses, a link', async () => {
    for (const name of ['nothing-here', 'not-a-run', 'notes.txt', 'linked-run']) {
      const response = await get(`/runs/${name}`);

      assert.equal(response.statusCode, 404, name);
      assert.match(response.json().message, new RegExp(`no run called "${name}"`));
    }
  });

  test('refuses names that climb out of the runs folder with 400 or 404', async () => {
    const attempts = [
      '/runs/..%2Fx',
      '/runs/..%2F..%2Fetc%2Fpasswd',
      '/runs/../x',
      '/runs/..%2Ffirst-run/samples/1.png',
      '/runs/%2Ftmp/samples/1.png',
    ];
    for (const url of attempts) {
      const response = await get(url);

      assert.ok([400, 404].includes(response.statusCode), `${url}: ${response.statusCode}`);
      assert.doesNotMatch(response.body, /\/tmp\/|mnist-gan-runs-test/, url);
    }

    // "/runs/.." is the same address as "/" to the router: the page, never a run.
    const parent = await get('/runs/%2E%2E');
    assert.doesNotMatch(parent.body, /"losses"|"runs"/);
  });
});

describe('GET /runs/:name/samples/:epoch.png', () => {
  test('answers the sample grid PNG written after that epoch, byte for byte', async () => {
    const response = await get(`/runs/${FIRST_RUN}/samples/2.png`);

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/png');
    assert.deepEqual(response.rawPayload, runs.sampleOf(2));
  });

  test('answers 404 for an epoch without a grid, 400 for an epoch that is no number', async () => {
    assert.equal((await get(`/runs/${FIRST_RUN}/samples/9.png`)).statusCode, 404);
    assert.equal((await get(`/runs/nothing-here/samples/1.png`)).statusCode, 404);
    const notNumber = await get(`/runs/${FIRST_RUN}/samples/x.png`);
    assert.equal(notNumber.statusCode, 400);
    assert.equal(notNumber.json().parameter, 'epoch');
    assert.equal(
      notNumber.json().message,
      'path parameter "epoch" must be integer; allowed: an integer',
    );
  });
});

describe('GET /runs/:name/events', () => {
  test('sends the run at once, then again after training writes a new epoch', async () => {
    const live = await newApp(runs.dir);
    const base = await live.listen({ port: 0, host: '127.0.0.1' });
    try {
      const stream = await openStream(`${base}/runs/${FIRST_RUN}/events`);
      assert.equal(stream.status, 200);
      assert.match(stream.contentType, /^text\/event-stream/);

      const first = await stream.next();
      assert.equal(first?.event, 'run');
      assert.equal(first?.data.epochs, 2);

      runs.addEpoch(FIRST_RUN, 3);
      const next = await stream.next();
      assert.equal(next?.event, 'run');
      assert.equal(next?.data.epochs, 3);
      assert.deepEqual(next?.data.samples, [1, 2, 3]);
      assert.deepEqual(next?.data.losses.at(-1), lossesOf(3));

      // Closing the server ends the stream instead of waiting for the client to leave.
      await live.close();
      assert.equal(await stream.next(), null);
    } finally {
      await live.close();
    }
  });

  test('answers 404 for an unknown run, 503 once the most streams allowed are open', async () => {
    const bounded = Fastify();
    bounded.addSchema({ $id: 'problem', type: 'object', additionalProperties: true });
    runsRoute(bounded, { dir: runs.dir, pollMs: 50, maxStreams: 1 });
    const base = await bounded.listen({ port: 0, host: '127.0.0.1' });
    try {
      const unknown = await openStream(`${base}/runs/nothing-here/events`);
      assert.equal(unknown.status, 404);

      const open = await openStream(`${base}/runs/${FIRST_RUN}/events`);
      assert.equal(open.status, 200);
      const refused = await openStream(`${base}/runs/${FIRST_RUN}/events`);
      assert.equal(refused.status, 503);

      // Once the first client leaves, its place is free again.
      open.close();
      await waitFor(async () => {
        const again = await openStream(`${base}/runs/${FIRST_RUN}/events`);
        again.close();
        return again.status === 200;
      });
    } finally {
      await bounded.close();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
