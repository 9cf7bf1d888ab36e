/**
 * Kills `mnist-gan train` at chosen moments and checks what it leaves behind. Shared by
 * bench/crash.ts (20 kills, a table) and test/train-crash.test.ts (a few kills, assertions).
 *
 * Every run is the same tiny seed-mlp run (512 digits in batches of 64: 8 steps an epoch, 6
 * epochs), so an epoch lasts a fraction of a second and most of a session is tsx starting up:
 * kills land during start-up, mid-epoch and around the writes at the end of an epoch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGenerator } from '../../src/models/model-file.js';
import { Random } from '../../src/models/random.js';
import { CHECKPOINT_FILE, loadCheckpoint } from '../../src/train/checkpoint.js';
import { seedMlpRecipe } from '../../src/train/recipes/seed-mlp.js';

export const EPOCHS = 6;
const TINY_RUN = ['--limit', '512', '--batch-size', '64', '--epochs', String(EPOCHS)];
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOSS_HEADER = 'epoch,discriminator_loss,generator_loss,seconds';
const NUMBER = String.raw`-?\d+(\.\d+)?(e[-+]?\d+)?`;
const LOSS_ROW = new RegExp(`^(\\d+),${NUMBER},${NUMBER},${NUMBER}$`);

/** When to signal a session: a time after it was spawned, or just after an epoch's log line. */
export type Moment =
  | { kind: 'time'; ms: number }
  /** `ms` after the session's `epochLine`-th "epoch k/6" line, i.e. while it saves the checkpoint. */
  | { kind: 'epoch-end'; epochLine: number; ms: number };

export interface SessionEnd {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to the signal, or null when the session ended before it. */
  signalledAfterMs: number | null;
}

/** What a run folder holds after a session ended, and everything wrong with it. */
export interface RunState {
  /** Null when no checkpoint file exists (a kill before the first epoch ended). */
  checkpoint: { epoch: number; stepInEpoch: number } | null;
  /** Well-formed rows of losses.csv. */
  rows: number;
  /** Rows that are cut off, repeated, out of order or not four numbers. */
  tornRows: number;
  /** Finished epochs neither in the checkpoint nor about to be redone. */
  lostEpochs: number;
  /** `*.tmp` files left in the folder, relative to it. */
  temporaries: string[];
  /** False when model/ exists but does not load (its weights and manifest disagree). */
  modelLoads: boolean;
  problems: string[];
}

/** Where an uninterrupted run ends: the bytes its generator is compared against. */
export interface Reference {
  generator: Buffer;
  /** losses.csv without the seconds column. */
  losses: string[];
}

const running = new Set<ChildProcess>();

/** Kills every session still running (a failed test must not leave trainers behind). */
export function killAllSessions(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Runs one session of `mnist-gan train`, sending `signal` at `moment` if it is still running. */
export function runSession(
  out: string,
  options: { resume: boolean; moment?: Moment; signal?: NodeJS.Signals },
): Promise<SessionEnd> {
  const args = ['--import', 'tsx', 'src/cli.ts', 'train', '--out', out, ...TINY_RUN];
  if (options.resume) args.push('--resume');
  args.push('--no-progress');
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'pipe' });
  running.add(child);
  const spawnedAt = performance.now();
  let stdout = '';
  let stderr = '';
  let signalledAfterMs: number | null = null;
  let timer: NodeJS.Timeout | undefined;

  const fire = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalledAfterMs = performance.now() - spawnedAt;
    child.kill(options.signal ?? 'SIGKILL');
  };
  const moment = options.moment;
  if (moment?.kind === 'time') timer = setTimeout(fire, moment.ms);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (moment?.kind !== 'epoch-end' || timer) return;
    const epochLines = stdout.match(/^epoch \d+\//gm)?.length ?? 0;
    if (epochLines >= moment.epochLine) timer = setTimeout(fire, moment.ms);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ pid: child.pid ?? 0, code, signal, stdout, stderr, signalledAfterMs });
    });
  });
}

/** Trains the tiny run without interruption, for the final weights every crashed run must reach. */
export async function uninterruptedRun(out: string): Promise<Reference> {
  const end = await runSession(out, { resume: false });
  if (end.code !== 0) throw new Error(`uninterrupted run failed (${end.code}): ${end.stderr}`);
  return finalState(out);
}

/** The final generator bytes and losses of a finished run. */
export function finalState(out: string): Reference {
  const lines = readFileSync(join(out, 'losses.csv'), 'utf8').trim().split('\n');
  return {
    generator: readFileSync(join(out, 'model', 'generator.safetensors')),
    losses: lines.map((line) => line.split(',').slice(0, 3).join(',')),
  };
}

/** Reads a run folder the way a resume (or a person) would, after a session ended. */
export function inspectRun(out: string): RunState {
  const problems: string[] = [];
  const checkpoint = readCheckpoint(out, problems);
  const { rows, tornRows } = readLosses(join(out, 'losses.csv'), problems);

  // losses.csv is written before the checkpoint at the end of an epoch, so it may be one row
  // ahead (that epoch is redone and its row rewritten) but never more, and never behind.
  const done = checkpoint?.epoch ?? 0;
  const lostEpochs = Math.max(0, rows - done - 1);
  if (lostEpochs > 0) problems.push(`losses.csv has ${rows} epochs, checkpoint only ${done}`);
  if (rows < done) problems.push(`checkpoint has ${done} epochs, losses.csv only ${rows} rows`);

  let modelLoads = true;
  if (existsSync(join(out, 'model', 'manifest.json'))) {
    try {
      loadGenerator(join(out, 'model'));
    } catch {
      modelLoads = false;
    }
  }
  return {
    checkpoint,
    rows,
    tornRows,
    lostEpochs,
    temporaries: listTemporaries(out, out),
    modelLoads,
    problems,
  };
}

function readCheckpoint(out: string, problems: string[]): RunState['checkpoint'] {
  const path = join(out, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  try {
    const { epoch, stepInEpoch } = loadCheckpoint(path, 'seed-mlp', seedMlpRecipe.sizes);
    return { epoch, stepInEpoch };
  } catch (error) {
    problems.push(`checkpoint does not load: ${(error as Error).message}`);
    return null;
  }
}

function readLosses(path: string, problems: string[]) {
  if (!existsSync(path)) return { rows: 0, tornRows: 0 };
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  else problems.push('losses.csv does not end with a newline (last row cut off)');
  if (lines[0] !== LOSS_HEADER) problems.push(`losses.csv header is "${lines[0]}"`);
  let rows = 0;
  let tornRows = 0;
  for (const line of lines.slice(1)) {
    const match = LOSS_ROW.exec(line);
    if (match && Number(match[1]) === rows + 1) {
      rows += 1;
    } else {
      tornRows += 1;
      problems.push(`losses.csv row ${rows + tornRows} is "${line}", expected epoch ${rows + 1}`);
    }
  }
  return { rows, tornRows };
}

function listTemporaries(root: string, dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTemporaries(root, path);
    return entry.name.endsWith('.tmp') ? [relative(root, path)] : [];
  });
}

/** One SIGKILL and what the folder looked like right after it. */
export interface Kill {
  kill: number;
  round: number;
  moment: Moment;
  afterMs: number;
  state: RunState;
  /** Problems of this kill, including a checkpoint that went backwards. */
  problems: string[];
}

/** A run killed until it was done, then resumed to the end. */
export interface Round {
  round: number;
  kills: number;
  sessions: number;
  sameGenerator: boolean;
  sameLosses: boolean;
  /** `*.tmp` files in the folder after the run finished. */
  temporariesLeft: string[];
  problems: string[];
}

/**
 * Picks a moment to kill: most often a time after spawn (start-up takes about a second, the
 * six epochs another one or two), otherwise a few milliseconds after an epoch's log line,
 * which is printed just before the checkpoint is written.
 */
export function pickMoment(random: Random): Moment {
  if (random.next() < 0.6) return { kind: 'time', ms: Math.round(random.uniform(300, 3000)) };
  return { kind: 'epoch-end', epochLine: 1 + random.below(2), ms: random.below(20) };
}

export function describeMoment(moment: Moment): string {
  return moment.kind === 'time'
    ? `${moment.ms} ms after start`
    : `${moment.ms} ms after epoch line ${moment.epochLine}`;
}

/**
 * Runs fresh tiny runs in `root`, SIGKILLing sessions at random moments and resuming each time,
 * until `kills` kills happened; the last run is then resumed to its end. Each run's final
 * generator and losses are compared with `reference`.
 */
export async function killRepeatedly(options: {
  root: string;
  kills: number;
  seed: number;
  reference: Reference;
  onKill?: (kill: Kill) => void;
}): Promise<{ kills: Kill[]; rounds: Round[] }> {
  const random = new Random(options.seed);
  const kills: Kill[] = [];
  const rounds: Round[] = [];
  while (kills.length < options.kills) {
    const out = join(options.root, `round-${rounds.length + 1}`);
    mkdirSync(options.root, { recursive: true });
    const round: Round = {
      round: rounds.length + 1,
      kills: 0,
      sessions: 0,
      sameGenerator: false,
      sameLosses: false,
      temporariesLeft: [],
      problems: [],
    };
    let epochBefore = 0;
    for (;;) {
      const moment = kills.length < options.kills ? pickMoment(random) : undefined;
      const resume = existsSync(join(out, CHECKPOINT_FILE));
      const end = await runSession(out, { resume, moment });
      round.sessions += 1;
      if (end.signal === 'SIGKILL' && moment && end.signalledAfterMs !== null) {
        const state = inspectRun(out);
        const problems = [...state.problems];
        const epochAfter = state.checkpoint?.epoch ?? 0;
        if (epochAfter < epochBefore) {
          state.lostEpochs += epochBefore - epochAfter;
          problems.push(`checkpoint went back from epoch ${epochBefore} to ${epochAfter}`);
        }
        epochBefore = epochAfter;
        round.kills += 1;
        const kill: Kill = {
          kill: kills.length + 1,
          round: round.round,
          moment,
          afterMs: Math.round(end.signalledAfterMs),
          state,
          problems,
        };
        kills.push(kill);
        options.onKill?.(kill);
        continue;
      }
      if (end.code !== 0 || !end.stdout.includes(`done: ${EPOCHS} epochs`)) {
        round.problems.push(
          `session ended with code ${end.code}, signal ${end.signal}: ${end.stderr}`,
        );
      }
      break;
    }
    if (round.problems.length === 0) checkFinish(out, options.reference, round);
    rounds.push(round);
  }
  return { kills, rounds };
}

function checkFinish(out: string, reference: Reference, round: Round): void {
  const state = inspectRun(out);
  round.problems.push(...state.problems);
  if (state.checkpoint?.epoch !== EPOCHS || state.rows !== EPOCHS) {
    round.problems.push(
      `ended at checkpoint epoch ${state.checkpoint?.epoch} with ${state.rows} rows, not ${EPOCHS}`,
    );
  }
  const final = finalState(out);
  round.sameGenerator = final.generator.equals(reference.generator);
  round.sameLosses = final.losses.join('\n') === reference.losses.join('\n');
  round.temporariesLeft = state.temporaries;
  if (!round.sameGenerator) round.problems.push('final generator differs from uninterrupted run');
  if (!round.sameLosses) round.problems.push('losses differ from the uninterrupted run');
}
