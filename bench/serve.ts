/**
 * npm run bench:serve [-- --seconds 10] [--connections 1,16,64,256] [--workers N]
 *                        [--model NAME] [--startup-runs 3] [--with-peer] [--json]
 *
 * How fast `mnist-gan serve` answers GET /generate beside the tutorial's FastAPI server and a
 * bare node:http server (the most one process can answer), each started and loaded in turn in
 * the same run, so the ratios hold on a shared machine. Then: start-up times, digits per
 * second of a large batch beside PyTorch's, and the servers' resident memory. Everything runs
 * on 127.0.0.1, and every server started here is stopped again, also on Ctrl-C and on errors.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { integerIn } from '../src/cli/parse.js';
import { defaultDataDir } from '../src/data/mnist.js';
import { installPeer, peerAvailable } from './peer.js';
import {
  batchApiProblem,
  measureBatchApi,
  measureOurDigitRates,
  measurePeerDigitRate,
  median,
  BATCH_API_COUNT,
  type BatchApiRate,
  type PeerDigitRate,
} from './serve/digit-rates.js';
import { driveLoad, type LoadRequest } from './serve/load.js';
import { sampleMemory, type MemorySample } from './serve/memory.js';
import { formatReport, levelRatios, type ServeReport } from './serve/report.js';
import { readProcessMetrics, type ProcessMetrics } from './serve/process-metrics.js';
import {
  ceilingServer,
  ourServer,
  PEER_GENERATOR,
  peerServer,
  ROOT,
  startServer,
  stopAllServers,
  type Target,
} from './serve/servers.js';

interface BenchOptions {
  /** Length of each load level. */
  seconds: number;
  /** Connections kept busy at each level, in order. */
  connections: number[];
  /** Our server's processes; its own default is one per core. */
  workers: number;
  /** The model our server draws from; the shipped default when left out. */
  model?: string;
  /** Start-ups timed per server (the median is reported). */
  startupRuns: number;
  /** Install Debian's PyTorch, FastAPI and uvicorn for the peer when they are missing. */
  withPeer: boolean;
  json: boolean;
}

/** One second of load before the levels, so every server has run its code paths once. */
const WARMUP = { seconds: 1, connections: 16 };
/** Digits per timed batch in the digits-per-second measure, and timed batches. */
const BATCH = 4096;
const BATCH_RUNS = 5;
/** The one shipped model whose architecture the tutorial's generator shares. */
const SEED_MLP_DIR = join(ROOT, 'models', 'seed-mlp');
const GET_GENERATE: LoadRequest = { method: 'GET', path: '/generate' };

const options = new Command('bench:serve')
  .description('serving speed of mnist-gan beside the tutorial FastAPI server')
  .addOption(
    new Option('--seconds <n>', 'length of each load level')
      .default(10)
      .argParser(integerIn(1, 600)),
  )
  .addOption(
    new Option('--connections <list>', 'connection counts, comma-separated')
      .default([1, 16, 64, 256], '1,16,64,256')
      .argParser(connectionList),
  )
  .addOption(
    new Option('--workers <n>', 'our server processes (default: one per core)')
      .default(availableParallelism())
      .argParser(integerIn(1, 64)),
  )
  .option(
    '--model <name>',
    "model our server draws from (default: its own default; seed-mlp is the peer's architecture)",
  )
  .addOption(
    new Option('--startup-runs <n>', 'start-ups timed per server')
      .default(3)
      .argParser(integerIn(1, 20)),
  )
  .option('--with-peer', "install the tutorial's Python stack when it is missing", false)
  .option('--json', 'print JSON for scripts instead of tables', false)
  .parse()
  .opts<BenchOptions>();

function connectionList(value: string): number[] {
  const parse = integerIn(1, 10_000);
  try {
    return value.split(',').map((part) => parse(part.trim()));
  } catch {
    throw new InvalidArgumentError(
      `must be connection counts from 1 to 10000 separated by commas, got "${value}"`,
    );
  }
}

/** Progress goes to stderr, so that stdout holds only the report (and `--json` stays JSON). */
function note(line: string): void {
  console.error(line);
}

// ---- the peer: there, installed on request, or left out with a note

function peerReady(notes: string[]): boolean {
  if (!existsSync(PEER_GENERATOR)) {
    notes.push(`no peer: ${PEER_GENERATOR} not found`);
    return false;
  }
  if (peerAvailable()) return true;
  if (!options.withPeer) {
    notes.push(
      "no peer: Debian's PyTorch, FastAPI or uvicorn is missing; --with-peer installs them " +
        '(root and apt needed)',
    );
    return false;
  }
  // setup.sh also trains one epoch for a generator of its own, which is thrown away here:
  // the bench serves generator_epoch10.pth. The installer writes to stdout, so on the run that
  // installs, --json output is preceded by its lines; installPeer taking an stdio choice would
  // fix that.
  note("installing the tutorial's Python stack from Debian's packages");
  const out = mkdtempSync(join(tmpdir(), 'seed-pytorch-'));
  try {
    installPeer(defaultDataDir(), out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return true;
}

// ---- start-up: spawn until the first answer, several times

async function measureStartup(target: Target): Promise<ServeReport['startup'][number]> {
  const runsMs: number[] = [];
  const allUpMs: number[] = [];
  for (let run = 0; run < options.startupRuns; run++) {
    const server = await startServer(target);
    try {
      runsMs.push(server.startupMs);
      const allUp = await server.allUp(60_000);
      if (allUp !== null) allUpMs.push(allUp);
    } finally {
      await server.stop();
    }
  }
  const row = { target: target.name, medianMs: median(runsMs), runsMs };
  return target.allUpLine && allUpMs.length > 0
    ? { ...row, allProcessesMedianMs: median(allUpMs) }
    : row;
}

// ---- load: warm-up, then each connection level, memory after each

interface TargetLoad {
  levels: ServeReport['load'];
  memory: MemorySample[];
  model?: string;
  batchApi?: BatchApiRate;
  batchApiMissing?: string;
  tensors?: { start: ProcessMetrics[]; end: ProcessMetrics[] };
}

async function loadTarget(target: Target): Promise<TargetLoad> {
  note(`starting ${target.label}`);
  const server = await startServer(target);
  try {
    if ((await server.allUp(60_000)) === null) {
      note(`${target.label}: not every process said it was serving within 60 s; measuring anyway`);
    }
    const result: TargetLoad = { levels: [], memory: [] };
    // The ceiling runs through tsx, whose loader and esbuild helper would be most of its
    // memory, so only ours and the peer are watched.
    const watch = (moment: string) => {
      if (target.name !== 'ceiling') result.memory.push(sampleMemory(server.pid, moment));
    };
    watch('start');
    let tensorsAtStart: ProcessMetrics[] = [];
    if (target.name === 'ours') {
      result.model = await defaultModel(server.origin);
      tensorsAtStart = await readProcessMetrics(server.origin, options.workers);
    }

    await driveLoad(server.origin, GET_GENERATE, WARMUP.connections, WARMUP.seconds);
    for (const connections of options.connections) {
      note(`${target.label}: ${connections} connections for ${options.seconds} s`);
      const level = await driveLoad(server.origin, GET_GENERATE, connections, options.seconds);
      result.levels.push({ target: target.name, ...level });
      watch(`after ${connections} connections`);
    }

    if (target.name === 'ours') {
      result.batchApiMissing = (await batchApiProblem(server.origin)) ?? undefined;
      if (!result.batchApiMissing) {
        // Two requests in flight per worker: one drawing while the other's answer is sent.
        const connections = options.workers * 2;
        note(
          `${target.label}: POST /generate count=${BATCH_API_COUNT}, ${connections} connections`,
        );
        result.batchApi = await measureBatchApi(server.origin, connections, options.seconds);
        watch('after POST /generate');
      }
    }

    await sleep(1000);
    watch('end (after 1 s idle)');
    if (target.name === 'ours') {
      const end = await readProcessMetrics(server.origin, options.workers);
      result.tensors = { start: tensorsAtStart, end };
    }
    return result;
  } finally {
    await server.stop();
  }
}

async function defaultModel(origin: string): Promise<string> {
  const response = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5000) });
  const { model } = (await response.json()) as { model?: string };
  return model ?? 'unknown';
}

// ---- the run

async function run(): Promise<ServeReport> {
  const notes: string[] = [];
  const loadAverageAtStart = loadavg()[0];
  const withPeer = peerReady(notes);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-serve-'));
  try {
    // The in-process measures come first, while no server competes for the cores.
    note(`timing seed-mlp in this process: ${BATCH_RUNS} batches of ${BATCH}`);
    const { samplePng, ...ours } = await measureOurDigitRates(SEED_MLP_DIR, BATCH, BATCH_RUNS);
    const pngPath = join(scratch, 'digit.png');
    writeFileSync(pngPath, samplePng);
    let peer: PeerDigitRate | null = null;
    if (withPeer) {
      note(`timing the tutorial's generator in PyTorch: ${BATCH_RUNS} batches of ${BATCH}`);
      peer = measurePeerDigitRate(BATCH, BATCH_RUNS);
    }

    const targets = [ourServer(options.workers, options.model)];
    if (withPeer) targets.push(peerServer());
    targets.push(ceilingServer(pngPath));

    const startup: ServeReport['startup'] = [];
    for (const target of targets.filter((each) => each.name !== 'ceiling')) {
      note(`timing ${options.startupRuns} start-ups of ${target.label}`);
      startup.push(await measureStartup(target));
    }

    const loads = new Map<Target, TargetLoad>();
    for (const target of targets) loads.set(target, await loadTarget(target));

    const ourLoad = loads.get(targets[0]) as TargetLoad;
    if (ourLoad.batchApiMissing) notes.push(ourLoad.batchApiMissing);
    const load = [...loads.values()].flatMap((each) => each.levels);
    return {
      machine: {
        cores: availableParallelism(),
        loadAverageAtStart,
        node: process.versions.node,
      },
      settings: {
        seconds: options.seconds,
        warmupSeconds: WARMUP.seconds,
        connections: options.connections,
        workers: options.workers,
        startupRuns: options.startupRuns,
        batch: BATCH,
        batchRuns: BATCH_RUNS,
      },
      targets: targets.map(({ name, label }) => ({ name, label })),
      ourModel: ourLoad.model ?? 'unknown',
      load,
      ratios: levelRatios(load, options.connections, options.workers),
      startup,
      digits: {
        ours,
        peer,
        oursPngOverPeerRaw: peer ? ours.png / peer.raw : null,
        batchApi: ourLoad.batchApi ?? null,
        batchApiMissing: ourLoad.batchApiMissing,
      },
      memory: [...loads]
        .filter(([, each]) => each.memory.length > 0)
        .map(([target, each]) => ({ target: target.name, samples: each.memory })),
      tensors: ourLoad.tensors ?? null,
      notes,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Stops the servers, then leaves with the shell's code for the signal (128 + its number). */
const leave = (signal: 'SIGINT' | 'SIGTERM', code: number) => {
  note(`${signal}: stopping the servers`);
  void stopAllServers().finally(() => process.exit(code));
};
process.once('SIGINT', () => leave('SIGINT', 130));
process.once('SIGTERM', () => leave('SIGTERM', 143));

try {
  const report = await run();
  console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
} catch (error) {
  console.error(`bench:serve: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAllServers();
}
