import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { PEER_DIR } from '../peer.js';
import { processTree } from './memory.js';

/** The project's root folder, whatever the working directory. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The tutorial's generator after 10 epochs, which its server loads as it is. */
export const PEER_GENERATOR = join(PEER_DIR, 'generator_epoch10.pth');

/** Every server is on loopback: the bench sends no traffic anywhere else. */
const HOST = '127.0.0.1';

/** Model loading, wasm start-up and (for the peer) importing PyTorch fit in this on a busy machine. */
const READY_TIMEOUT_MS = 120_000;

/** How long a server may take to close after SIGTERM before it and its workers get SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

export type TargetName = 'ours' | 'peer' | 'ceiling';

/** A server the bench can start: how to launch it and when it counts as ready. */
export interface Target {
  name: TargetName;
  /** What it is, for the report. */
  label: string;
  /** Answers 200 once the server takes requests. */
  readyPath: string;
  /** A line on stdout saying every process is serving, for servers that start in stages. */
  allUpLine?: RegExp;
  launch(port: number): { command: string; args: string[]; cwd: string };
}

export interface RunningServer {
  target: Target;
  /** http://127.0.0.1:PORT */
  origin: string;
  pid: number;
  /** From spawning the process until readyPath first answered 200. */
  startupMs: number;
  /**
   * Milliseconds from spawning until `allUpLine` was printed (startupMs for a server without
   * one), or null when it was not printed within `timeoutMs`.
   */
  allUp(timeoutMs: number): Promise<number | null>;
  /** The next line printed on stdout that matches `pattern`, or null after `timeoutMs`. */
  nextLine(pattern: RegExp, timeoutMs: number): Promise<string | null>;
  stop(): Promise<void>;
}

/**
 * `mnist-gan serve` with its defaults (the shipped models, the default model) and `workers`
 * processes. The compiled dist/cli.js when it is at least as new as every file in src/, else
 * the TypeScript through tsx, so a stale build is never measured.
 */
/** Our server with `workers` processes; `model` names the model GET /generate draws from. */
export function ourServer(workers: number, model?: string): Target {
  const compiled = join(ROOT, 'dist', 'cli.js');
  const useDist = existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource();
  const entry = useDist ? ['dist/cli.js'] : ['--import', 'tsx', 'src/cli.ts'];
  const how = useDist ? 'node dist/cli.js' : 'tsx src/cli.ts';
  return {
    name: 'ours',
    label: `mnist-gan serve, ${workers} worker${workers === 1 ? '' : 's'} (${how})`,
    readyPath: '/health',
    // /health answers as soon as the first worker listens; the pool forks the others after it
    // and then says so (src/serve/workers.ts). One worker runs without a pool and says nothing.
    allUpLine: workers > 1 ? /\d+ worker processes serving/ : undefined,
    launch: (port) => ({
      command: process.execPath,
      args: [
        ...entry,
        'serve',
        '--host',
        HOST,
        '--port',
        String(port),
        '--workers',
        String(workers),
        ...(model ? ['--default-model', model] : []),
      ],
      cwd: ROOT,
    }),
  };
}

/** The tutorial's FastAPI app under uvicorn, one process, through the peer's own serve.sh. */
export function peerServer(): Target {
  return {
    name: 'peer',
    label: 'tutorial FastAPI (uvicorn, 1 process)',
    readyPath: '/generate',
    launch: (port) => ({
      command: 'bash',
      args: [join(PEER_DIR, 'serve.sh'), PEER_GENERATOR, String(port)],
      cwd: PEER_DIR,
    }),
  };
}

/** Bare node:http answering `pngPath` to every request: see ceiling-server.ts. */
export function ceilingServer(pngPath: string): Target {
  return {
    name: 'ceiling',
    label: 'bare node:http, fixed PNG (1 process)',
    readyPath: '/generate',
    launch: (port) => ({
      command: process.execPath,
      args: ['--import', 'tsx', 'bench/serve/ceiling-server.ts', String(port), pngPath],
      cwd: ROOT,
    }),
  };
}

/** Every server process started and not yet seen to exit, so any way out can stop them. */
const running = new Set<ChildProcess>();
/** Set once the bench is stopping everything, so that nothing new starts meanwhile. */
let closing = false;

// The last resort, when the bench leaves without stopping them in order: each server closes
// itself on SIGTERM (ours also stops its workers; a worker whose primary is gone leaves too).
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

export async function startServer(target: Target): Promise<RunningServer> {
  const port = await freePort();
  if (closing) throw new Error(`not starting ${target.label}: the bench is stopping`);
  const origin = `http://${HOST}:${port}`;
  const { command, args, cwd } = target.launch(port);
  const started = performance.now();
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const stderr = lastLines(child);
  const allUpAt = lineSeen(child, target.allUpLine, started);
  let spawnError: Error | null = null;
  child.once('error', (error) => {
    spawnError = error;
    running.delete(child);
  });

  const deadline = started + READY_TIMEOUT_MS;
  for (;;) {
    const failure = spawnError ?? exitDescription(child);
    if (failure) {
      const said = stderr().at(-1) ?? 'nothing on stderr';
      throw new Error(`${target.label} stopped before answering (${failure}): ${said}`);
    }
    if (await answers(origin + target.readyPath)) break;
    if (performance.now() > deadline) {
      await stopChild(child);
      throw new Error(
        `${target.label} did not answer ${target.readyPath} within ${READY_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(20);
  }
  const startupMs = performance.now() - started;
  return {
    target,
    origin,
    pid: child.pid as number,
    startupMs,
    allUp: async (timeoutMs) => {
      if (!target.allUpLine) return startupMs;
      return Promise.race([allUpAt, unrefSleep(timeoutMs).then(() => null)]);
    },
    nextLine: (pattern, timeoutMs) => nextLine(child, pattern, timeoutMs),
    stop: () => stopChild(child),
  };
}

/** Stops every server still running: on Ctrl-C, on errors, at the end. */
export async function stopAllServers(): Promise<void> {
  closing = true;
  await Promise.all([...running].map(stopChild));
}

/** SIGTERM, time to close, then SIGKILL for it and whatever processes it started. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (exitDescription(child) || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (await within(exited, STOP_TIMEOUT_MS)) return;
  for (const pid of processTree(child.pid).reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await within(exited, STOP_TIMEOUT_MS);
}

function exitDescription(child: ChildProcess): string | null {
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  if (child.exitCode !== null) return `exit code ${child.exitCode}`;
  return null;
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  const timeout = unrefSleep(ms).then(() => false);
  return Promise.race([promise.then(() => true), timeout]);
}

/** A wait that does not keep the bench alive once everything else is done. */
function unrefSleep(ms: number): Promise<void> {
  return sleep(ms, undefined, { ref: false });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** A port free on loopback right now (the kernel's pick); the server binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Keeps the last lines a child wrote on stderr, for the message when it fails to start. */
function lastLines(child: ChildProcess, keep = 20): () => string[] {
  const lines: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
    lines.splice(0, Math.max(0, lines.length - keep));
  });
  return () => lines;
}

/** Milliseconds from `started` until a line of the child's stdout matched `pattern`. */
function lineSeen(child: ChildProcess, pattern: RegExp | undefined, started: number) {
  return new Promise<number>((resolve) => {
    child.stdout?.setEncoding('utf8');
    // Read always, so a chatty server never blocks on a full pipe.
    child.stdout?.on('data', (text: string) => {
      if (pattern?.test(text)) resolve(performance.now() - started);
    });
  });
}

function nextLine(child: ChildProcess, pattern: RegExp, timeoutMs: number) {
  return new Promise<string | null>((resolve) => {
    let partial = '';
    const onData = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) finish(found);
    };
    const timer = setTimeout(() => finish(null), timeoutMs).unref();
    const finish = (line: string | null) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(line);
    };
    child.stdout?.on('data', onData);
  });
}

/** The newest modification time of any file under src/. */
function newestSource(): number {
  const src = join(ROOT, 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' });
  return Math.max(...files.map((file) => statSync(join(src, file)).mtimeMs));
}
