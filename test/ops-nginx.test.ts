import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

/**
 * Scaling out, tried with the real parts: two `mnist-gan serve` processes behind Debian's nginx,
 * configured from deploy/nginx/mnist-gan.conf.template, everything on 127.0.0.1. One server is
 * killed and restarted while clients keep asking for digits; nginx must hide the loss.
 */
const PROJECT_ROOT = join(import.meta.dirname, '..');
const NGINX = '/usr/sbin/nginx';
const TEMPLATE = join(PROJECT_ROOT, 'deploy', 'nginx', 'mnist-gan.conf.template');

// Every wait and loop below is bounded, so a broken setup fails instead of hanging.
const START_TIMEOUT_MS = 30_000; // a server compiles its TypeScript with tsx on a busy machine
const STOP_TIMEOUT_MS = 5_000;
const CLIENTS = 8; // requests in flight at any time
const KILL_AFTER_MS = 1_500; // load before the kill
const LOAD_MIN_MS = 6_000; // load lasts at least this long in all
const AFTER_RESTART_MS = 4_000; // and this long after the restart (nginx's fail_timeout is 2 s)
const LOAD_MAX_MS = 40_000;
const MAX_REQUESTS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface Launched {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

const launched: Launched[] = [];
let dir: string;

/** Starts a command leading its own process group, so stopping it stops its children too. */
function launch(name: string, command: string, args: string[]): Launched {
  const env = { ...process.env };
  for (const variable of Object.keys(env)) {
    if (variable.startsWith('MNIST_GAN_') || variable === 'PORT' || variable === 'HOST') {
      delete env[variable];
    }
  }
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env, detached: true });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  // A command that cannot start at all reports an 'error' instead of an 'exit'.
  child.on('error', (error) => (output += `${name} could not start: ${error.message}\n`));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const entry = { name, child, exited, output: () => output };
  launched.push(entry);
  return entry;
}

function signalGroup(target: Launched, signal: NodeJS.Signals): void {
  if (target.child.exitCode !== null || target.child.signalCode !== null) return;
  try {
    process.kill(-target.child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** Asks politely, then insists: every process started here is gone when this resolves. */
async function stop(target: Launched): Promise<void> {
  signalGroup(target, 'SIGTERM');
  const stopped = await Promise.race([target.exited.then(() => true), sleep(STOP_TIMEOUT_MS)]);
  if (!stopped) {
    signalGroup(target, 'SIGKILL');
    await target.exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `mnist-gan serve` with the shipped models on 127.0.0.1:port, resolved once it listens. */
async function startServer(name: string, port: number): Promise<Launched> {
  const args = ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(port), '--workers', '1'];
  const server = launch(name, process.execPath, [...args, '--host', '127.0.0.1']);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!/listening on http:/.test(server.output())) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${name} exited before listening:\n${server.output()}`);
    }
    if (Date.now() > deadline)
      throw new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms`);
    await sleep(50);
  }
  return server;
}

/** The template with its placeholders filled in; any placeholder left over is an error. */
function nginxConfig(values: Record<string, string>): string {
  const config = readFileSync(TEMPLATE, 'utf8').replace(/\$\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${TEMPLATE}: no value for the placeholder ${whole}`);
    return value;
  });
  return config;
}

async function waitForAnswer(url: string, nginx: Launched): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (nginx.child.exitCode !== null || Date.now() > deadline) {
      const log = readIfThere(join(dir, 'error.log'));
      throw new Error(`nginx did not answer ${url}:\n${nginx.output()}\n${log}`);
    }
    await sleep(100);
  }
}

function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

interface LoadResult {
  requests: number;
  failures: string[];
}

/**
 * CLIENTS loops of GET /generate?seed=n, each seed once, until `finished` says so or a bound is
 * reached. A failure is any answer but 200, or no answer at all.
 */
async function generateLoad(base: string, finished: () => boolean): Promise<LoadResult> {
  const deadline = Date.now() + LOAD_MAX_MS;
  let next = 0;
  const failures: string[] = [];
  const client = async () => {
    while (!finished() && Date.now() < deadline && next < MAX_REQUESTS) {
      const seed = next++;
      try {
        const response = await fetch(`${base}/generate?seed=${seed}`, {
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        if (response.status !== 200) failures.push(`seed ${seed}: HTTP ${response.status}`);
      } catch (error) {
        failures.push(`seed ${seed}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { requests: next, failures };
}

interface LogLine {
  status: number;
  /** Each instance nginx tried for this request, in order. */
  upstreams: string[];
}

/** Reads the access log written with the template's `upstreams` format. */
function readAccessLog(from = 0): LogLine[] {
  const text = readIfThere(join(dir, 'access.log')).slice(from);
  return text
    .split('\n')
    .filter((line) => line.includes('GET /generate'))
    .map((line) => {
      const fields = /" (\d{3}) upstream=(.*) upstream_status=/.exec(line);
      assert.ok(fields, `access log line not in the expected format: ${line}`);
      return { status: Number(fields[1]), upstreams: fields[2].split(', ') };
    });
}

describe('two servers behind nginx (deploy/nginx/mnist-gan.conf.template)', () => {
  let ports: { first: number; second: number; nginx: number };
  let first: Launched;
  let base: string;

  before(async () => {
    if (!existsSync(NGINX)) {
      throw new Error(
        `${NGINX} not found: this test runs Debian's nginx as the load balancer. ` +
          'Install it with `apt-get install nginx-light` (.ci/run does this in CI).',
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'mnist-gan-nginx-'));
    // Run as root, nginx's worker drops to an unprivileged user, which must reach its files.
    chmodSync(dir, 0o755);
    ports = { first: await freePort(), second: await freePort(), nginx: await freePort() };

    [first] = await Promise.all([
      startServer('first server', ports.first),
      startServer('second server', ports.second),
    ]);

    const config = join(dir, 'nginx.conf');
    writeFileSync(
      config,
      nginxConfig({
        LISTEN: `127.0.0.1:${ports.nginx}`,
        UPSTREAM_1: `127.0.0.1:${ports.first}`,
        UPSTREAM_2: `127.0.0.1:${ports.second}`,
      }),
    );
    const nginx = launch('nginx', NGINX, ['-p', `${dir}/`, '-c', config, '-e', 'error.log']);
    base = `http://127.0.0.1:${ports.nginx}`;
    await waitForAnswer(`${base}/health`, nginx);
  });

  after(async () => {
    await Promise.all(launched.map(stop));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(
    'every request gets a 200 while one server is killed and restarted, and both serve again',
    { timeout: START_TIMEOUT_MS + LOAD_MAX_MS + 20_000 },
    async (t) => {
      const started = Date.now();
      let restartedAt = Infinity;
      const load = generateLoad(
        base,
        () => Date.now() - started >= LOAD_MIN_MS && Date.now() - restartedAt >= AFTER_RESTART_MS,
      );

      await sleep(KILL_AFTER_MS);
      signalGroup(first, 'SIGKILL');
      await first.exited;
      await startServer('first server, restarted', ports.first);
      restartedAt = Date.now();
      const logBeforeRestart = readIfThere(join(dir, 'access.log')).length;

      const { requests, failures } = await load;
      assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
      assert.ok(requests >= 100, `only ${requests} requests were made`);

      const firstAddress = `127.0.0.1:${ports.first}`;
      const secondAddress = `127.0.0.1:${ports.second}`;
      // While the first server was down, nginx met it, and passed the request to the second.
      const retried = readAccessLog().filter((line) => line.upstreams.length > 1);
      assert.ok(retried.length > 0, 'no request was ever retried on the other server');
      t.diagnostic(`${requests} requests, ${retried.length} passed on to the other server`);
      for (const line of retried) {
        assert.deepEqual(line.upstreams, [firstAddress, secondAddress]);
        assert.equal(line.status, 200);
      }
      // Once restarted, the first server takes its share again.
      const answeredBy = new Set(
        readAccessLog(logBeforeRestart)
          .filter((line) => line.upstreams.length === 1 && line.status === 200)
          .map((line) => line.upstreams[0]),
      );
      assert.deepEqual([...answeredBy].sort(), [firstAddress, secondAddress].sort());
    },
  );
});
