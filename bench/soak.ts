/**
 * npm run bench:soak [-- --minutes 10] [--workers N] [--rolling-restart]
 *
 * Keeps `mnist-gan serve` under the serving bench's highest load (256 connections on
 * GET /generate, 127.0.0.1 only) for `--minutes`, and every 10 s notes requests/s, p99,
 * errors and the resident memory of all its processes. Then judges: no errors; memory flat
 * after the first minute's warm-up; p99 steady. With --rolling-restart it also sends SIGTERM to
 * each worker in turn during the soak, and counts the requests that failed meanwhile. The
 * server is stopped at the end, on errors and on Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { integerIn, positiveNumber } from '../src/cli/parse.js';
import { driveLoad, type LoadRequest } from './serve/load.js';
import { drivePoolLoad } from './serve/pool-load.js';
import { readProcessMetrics, type ProcessMetrics } from './serve/process-metrics.js';
import { processTree, sampleMemory } from './serve/memory.js';
import { ourServer, startServer, stopAllServers, type RunningServer } from './serve/servers.js';

interface SoakOptions {
  /** Length of the soak, after the server is up. */
  minutes: number;
  /** Our server's processes; its own default is one per core. */
  workers: number;
  /** SIGTERM each worker in turn during the soak. */
  rollingRestart: boolean;
}

/** The serving bench's highest level (bench/serve.ts). */
const CONNECTIONS = 256;
const GET_GENERATE: LoadRequest = { method: 'GET', path: '/generate' };
/** One row of the table per this many seconds of load. */
const SAMPLE_SECONDS = 10;
/** The first minute is warm-up: the JIT, the allocator and wasm memory settle in it. */
const WARMUP_SECONDS = 60;
/** The median memory of the last third after warm-up may exceed the first third's this much. */
const MEMORY_GROWTH = 0.1;
/** The last third's median p99 may differ this much from the first third's. */
const P99_DRIFT = 0.5;
/** Longest wait for the pool to say a replacement worker serves. */
const REPLACE_TIMEOUT_MS = 60_000;
/** Pause between two restarts, so each one's failures land in its own samples. */
const RESTART_GAP_MS = 5_000;

const options = new Command('bench:soak')
  .description('mnist-gan serve under steady load: errors, memory and p99 over time')
  .addOption(
    new Option('--minutes <n>', 'length of the soak').default(10).argParser(positiveNumber),
  )
  .addOption(
    new Option('--workers <n>', 'server processes (default: one per core)')
      .default(availableParallelism())
      .argParser(integerIn(1, 64)),
  )
  .option('--rolling-restart', 'SIGTERM each worker in turn during the soak', false)
  .parse()
  .opts<SoakOptions>();

interface Sample {
  /** Seconds of soak at the end of this sample. */
  atSeconds: number;
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  residentMb: number;
  /** Summed over the workers, from their GET /metrics: V8's heap in use, memory outside it. */
  heapUsedMb: number;
  externalMb: number;
  /** A worker restart overlapped this sample. */
  restart: boolean;
}

interface Restart {
  pid: number;
  startedAt: number;
  endedAt: number;
  replaced: boolean;
}

/** Progress goes to stderr; stdout holds only the table and the verdicts. */
function note(line: string): void {
  console.error(line);
}

let stopping = false;

// ---- the load: consecutive samples of SAMPLE_SECONDS until the deadline

/**
 * autocannon, as in the serving bench; during a rolling restart, a client that honours
 * `Connection: close` (see pool-load.ts), since draining workers close connections by the rules.
 */
const load = options.rollingRestart ? drivePoolLoad : driveLoad;

async function soak(server: RunningServer, restarts: Restart[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = performance.now();
  const totalSeconds = options.minutes * 60;
  let done = 0;
  while (!stopping && done < totalSeconds) {
    // autocannon takes whole seconds; a short last sample is at least one.
    const seconds = Math.max(1, Math.round(Math.min(SAMPLE_SECONDS, totalSeconds - done)));
    const from = performance.now();
    const level = await load(server.origin, GET_GENERATE, CONNECTIONS, seconds);
    const to = performance.now();
    done = (to - started) / 1000;
    const workers = await readProcessMetrics(server.origin, options.workers);
    const sum = (pick: (each: ProcessMetrics) => number) =>
      workers.reduce((total, each) => total + pick(each), 0);
    samples.push({
      atSeconds: done,
      requestsPerSecond: level.requestsPerSecond,
      p99Ms: level.p99Ms,
      errors: level.errors,
      residentMb: sampleMemory(server.pid, 'soak').totalMb,
      heapUsedMb: sum((each) => each.heapUsedMb),
      externalMb: sum((each) => each.externalMb),
      restart: restarts.some((each) => each.startedAt < to && each.endedAt > from),
    });
    const last = samples[samples.length - 1];
    note(
      `${last.atSeconds.toFixed(0)} s: ${last.requestsPerSecond.toFixed(0)} req/s, ` +
        `p99 ${last.p99Ms.toFixed(1)} ms, ${last.errors} errors, ${last.residentMb.toFixed(0)} MB`,
    );
  }
  return samples;
}

// ---- rolling restart: one worker at a time, each replaced before the next

/**
 * SIGTERMs each worker that serves at the start, waiting for the pool to say its replacement
 * serves. A worker that drains properly finishes the requests it holds, so the load sees no
 * failure. Restarts in progress when the soak ends are recorded as they stand.
 */
async function restartWorkers(server: RunningServer, restarts: Restart[]): Promise<void> {
  // Unreferenced waits: a restart still pending when the soak ends does not hold the bench.
  await sleep(SAMPLE_SECONDS * 1000, undefined, { ref: false });
  const workers = processTree(server.pid).slice(1).filter(isWorker);
  for (const pid of workers) {
    if (stopping) return;
    const restart = { pid, startedAt: performance.now(), endedAt: Infinity, replaced: false };
    restarts.push(restart);
    note(`rolling restart: SIGTERM to worker ${pid}`);
    const serving = server.nextLine(/worker \d+ serving/, REPLACE_TIMEOUT_MS);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Gone already: the pool replaces it all the same.
    }
    restart.replaced = (await serving) !== null;
    restart.endedAt = performance.now();
    note(`rolling restart: worker ${pid} ${restart.replaced ? 'replaced' : 'not replaced'}`);
    await sleep(RESTART_GAP_MS, undefined, { ref: false });
  }
}

/** A pool worker is node itself (node:cluster forks process.execPath); tsx's esbuild is not. */
function isWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath;
  } catch {
    return false;
  }
}

// ---- verdicts

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function verdicts(samples: Sample[], restarts: Restart[]): string[] {
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'MET' : 'NOT MET');

  const errors = samples.reduce((sum, each) => sum + each.errors, 0);
  lines.push(`errors: ${errors} (target: 0) ${mark(errors === 0)}`);

  const warm = samples.filter((each) => each.atSeconds <= WARMUP_SECONDS);
  const after = samples.filter((each) => each.atSeconds > WARMUP_SECONDS);
  if (warm.length === 0 || after.length < 3) {
    lines.push(
      `memory, p99: not judged, the soak needs at least ${WARMUP_SECONDS} s of warm-up and ` +
        `3 samples after it (${after.length} here)`,
    );
  } else {
    // One sample is one moment of the garbage collector's cycle (each worker's V8 heap swings
    // by tens of MB), so "flat" compares the medians of the first and last thirds.
    const third = Math.floor(after.length / 3);
    const early = median(after.slice(0, third).map((each) => each.residentMb));
    const late = median(after.slice(-third).map((each) => each.residentMb));
    const growth = late / early - 1;
    const peak = Math.max(...after.map((each) => each.residentMb));
    lines.push(
      `memory: median ${early.toFixed(0)} MB in the first third after warm-up, ` +
        `${late.toFixed(0)} MB in the last (${(growth * 100).toFixed(1)}%; target: within ` +
        `${MEMORY_GROWTH * 100}%; highest sample ${peak.toFixed(0)} MB) ` +
        mark(growth <= MEMORY_GROWTH),
    );

    const first = median(after.slice(0, third).map((each) => each.p99Ms));
    const last = median(after.slice(-third).map((each) => each.p99Ms));
    const drift = Math.abs(last / first - 1);
    lines.push(
      `p99: median ${first.toFixed(1)} ms in the first third after warm-up, ` +
        `${last.toFixed(1)} ms in the last (${(drift * 100).toFixed(0)}% apart; ` +
        `target: within ${P99_DRIFT * 100}%) ${mark(drift <= P99_DRIFT)}`,
    );
  }

  if (options.rollingRestart) {
    // Failures are counted per sample: every error of a sample a restart overlapped counts.
    const during = samples.filter((each) => each.restart);
    const failed = during.reduce((sum, each) => sum + each.errors, 0);
    const replaced = restarts.filter((each) => each.replaced).length;
    lines.push(
      `rolling restart: ${replaced} of ${restarts.length} workers restarted and replaced; ` +
        `${failed} failed requests in the ${during.length} samples they overlapped ` +
        `(target: 0) ${mark(failed === 0 && replaced === restarts.length)}`,
    );
  }
  return lines;
}

function table(samples: Sample[]): string {
  const head = '  time s    req/s   p99 ms  errors   memory MB  heap used MB  external MB';
  const rows = samples.map(
    (each) =>
      `${each.atSeconds.toFixed(0).padStart(8)} ${each.requestsPerSecond.toFixed(0).padStart(8)} ` +
      `${each.p99Ms.toFixed(1).padStart(8)} ${String(each.errors).padStart(7)} ` +
      `${each.residentMb.toFixed(0).padStart(11)} ${each.heapUsedMb.toFixed(0).padStart(13)} ` +
      `${each.externalMb.toFixed(0).padStart(12)}${each.restart ? '  restart' : ''}`,
  );
  return [head, ...rows].join('\n');
}

// ---- run

async function run(): Promise<string> {
  const target = ourServer(options.workers);
  note(`starting ${target.label}`);
  const server = await startServer(target);
  if ((await server.allUp(120_000)) === null) {
    throw new Error(`not every worker of ${target.label} served within 120 s`);
  }
  note(
    `soaking for ${options.minutes} min at ${CONNECTIONS} connections on GET /generate` +
      (options.rollingRestart ? ', restarting each worker in turn' : ''),
  );
  const restarts: Restart[] = [];
  if (options.rollingRestart) {
    restartWorkers(server, restarts).catch((error: Error) =>
      note(`rolling restart: ${error.message}`),
    );
  }
  const samples = await soak(server, restarts);
  stopping = true;
  return [table(samples), '', ...verdicts(samples, restarts)].join('\n');
}

/** Stops the server, then leaves with the shell's code for the signal (128 + its number). */
const leave = (signal: 'SIGINT' | 'SIGTERM', code: number) => {
  note(`${signal}: stopping the server`);
  stopping = true;
  void stopAllServers().finally(() => process.exit(code));
};
process.once('SIGINT', () => leave('SIGINT', 130));
process.once('SIGTERM', () => leave('SIGTERM', 143));

try {
  console.log(await run());
} catch (error) {
  console.error(`bench:soak: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAllServers();
}
