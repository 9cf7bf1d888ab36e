import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/**
 * `serve --workers 2` as a user starts it: two processes answer on one port, a worker that
 * dies is replaced while the server keeps answering, and a worker stopped under load drains.
 */
const PORT = 18000 + (process.pid % 1000);
let server: ChildProcess;
let output = '';

after(() => server?.kill('SIGTERM'));

function waitFor(pattern: RegExp, timeoutMs = 30000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const match = output.match(pattern);
      if (match) return resolve(match);
      if (Date.now() - started > timeoutMs)
        return reject(new Error(`no ${pattern} in:\n${output}`));
      setTimeout(check, 50);
    };
    check();
  });
}

describe('serve --workers 2', () => {
  test('starts two worker processes on one port, each answering', async () => {
    server = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(PORT), '--workers', '2'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(/2 worker processes serving/);

    assert.equal(output.match(/worker \d+ serving/g)?.length, 2);
    // The model lines come once, from the first worker, not once per worker.
    assert.equal(output.match(/listening on/g)?.length, 1);
    const response = await fetch(`http://127.0.0.1:${PORT}/generate?seed=3`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
  });

  test('replaces a worker that dies, and keeps answering meanwhile', async () => {
    const [first] = [...output.matchAll(/worker (\d+) serving/g)].map((m) => Number(m[1]));
    process.kill(first, 'SIGKILL');

    await waitFor(new RegExp(`worker ${first} died \\(signal SIGKILL\\); starting a replacement`));
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`http://127.0.0.1:${PORT}/health`);
      assert.equal(response.status, 200);
    }
    await waitFor(
      /worker \d+ serving[\s\S]*worker \d+ serving[\s\S]*died[\s\S]*worker \d+ serving/,
    );
  });

  test('a worker stopped with SIGTERM under keep-alive load fails no request', async () => {
    const pids = [...output.matchAll(/worker (\d+) serving/g)].map((m) => Number(m[1]));
    const stopped = pids[pids.length - 1];
    // undici keeps HTTP/1.1's rules, as browsers and proxies do: after an answer marked
    // Connection: close it opens a new connection instead of reusing the closing one.
    const pool = new Pool(`http://127.0.0.1:${PORT}`, { connections: 16 });
    const statuses = new Map<string, number>();
    let loading = true;
    const client = async (index: number) => {
      for (let seed = index; loading; seed += 16) {
        let status = 'refused';
        try {
          const answer = await pool.request({ method: 'GET', path: `/generate?seed=${seed}` });
          await answer.body.arrayBuffer();
          status = String(answer.statusCode);
        } catch (error) {
          status = (error as Error).message;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const clients = Promise.all(Array.from({ length: 16 }, (_, index) => client(index)));
    await sleep(1000);
    process.kill(stopped, 'SIGTERM');
    await waitFor(new RegExp(`worker ${stopped} died \\(exit code 0\\)`));
    const replaced = output.match(/worker \d+ serving/g)!.length;
    await waitFor(new RegExp(`(worker \\d+ serving[\\s\\S]*){${replaced + 1}}`));
    await sleep(500);
    loading = false;
    await clients;
    await pool.close();

    assert.deepEqual([...statuses.keys()], ['200']);
    assert.ok(statuses.get('200')! > 100, `only ${statuses.get('200')} answers under load`);
  });
});
