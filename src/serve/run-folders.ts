import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readLossLog, type EpochLosses } from '../train/loss-log.js';
import { epochOfSampleFile, RUN_FILES } from '../train/run-files.js';

/**
 * Read-only access to the training runs inside one folder, for the page's training view.
 *
 * A request names a run and an epoch, but neither ever becomes part of a path: the name is
 * looked up in the listing of the folder (only subfolders holding a losses.csv count), and the
 * epoch in the listing of that run's samples/. A name such as "../x" matches no entry and is
 * simply not found.
 */
const LOSSES_FILE = RUN_FILES.losses;
const SAMPLES_DIR = RUN_FILES.samples;

/** One run as GET /runs lists it. */
export interface RunSummary {
  name: string;
  /** Rows in losses.csv: epochs completed. */
  epochs: number;
  /** When losses.csv last changed (ISO 8601): a run still training changes every epoch. */
  updated: string;
}

/** One run with everything the training view draws. */
export interface RunDetail extends RunSummary {
  losses: EpochLosses[];
  /** Epochs that have a sample grid, ascending. */
  samples: number[];
}

/** The runs in `dir`, by name; none when the folder does not exist. */
export async function listRuns(dir: string): Promise<RunSummary[]> {
  const names = await runNames(dir);
  const runs = await Promise.all(names.map((name) => summarize(dir, name)));
  return runs.filter((run): run is RunSummary => run !== undefined);
}

/** The run called `name` in `dir`, or undefined when there is no such run. */
export async function readRun(dir: string, name: string): Promise<RunDetail | undefined> {
  const summary = (await runNames(dir)).includes(name) ? await summarize(dir, name) : undefined;
  if (!summary) return undefined;
  const losses = readLossLog(join(dir, name, LOSSES_FILE));
  const samples = [...(await sampleFiles(join(dir, name))).keys()].sort((a, b) => a - b);
  return { ...summary, epochs: losses.length, losses, samples };
}

/** The sample grid PNG of `epoch` in run `name`, or undefined when either does not exist. */
export async function readSample(
  dir: string,
  name: string,
  epoch: number,
): Promise<Buffer | undefined> {
  if (!(await runNames(dir)).includes(name)) return undefined;
  const file = (await sampleFiles(join(dir, name))).get(epoch);
  return file === undefined ? undefined : readFile(join(dir, name, SAMPLES_DIR, file));
}

/**
 * A short text that changes whenever the run gains an epoch or a sample grid, so a watcher can
 * tell cheaply whether to send the run again; undefined once the run is gone.
 */
export async function runVersion(dir: string, name: string): Promise<string | undefined> {
  if (!(await runNames(dir)).includes(name)) return undefined;
  try {
    const losses = await stat(join(dir, name, LOSSES_FILE));
    const samples = await stat(join(dir, name, SAMPLES_DIR)).catch(() => undefined);
    return `${losses.mtimeMs}:${losses.size}:${samples?.mtimeMs ?? 0}`;
  } catch {
    return undefined;
  }
}

/** Subfolders of `dir` that hold a losses.csv, sorted; symbolic links are not followed. */
async function runNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const losses = await stat(join(dir, entry.name, LOSSES_FILE)).catch(() => undefined);
    if (losses?.isFile()) names.push(entry.name);
  }
  return names.sort();
}

async function summarize(dir: string, name: string): Promise<RunSummary | undefined> {
  const path = join(dir, name, LOSSES_FILE);
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  return { name, epochs: readLossLog(path).length, updated: info.mtime.toISOString() };
}

/** The run's sample grids: epoch to file name. */
async function sampleFiles(runDir: string): Promise<Map<number, string>> {
  const files = await readdir(join(runDir, SAMPLES_DIR)).catch(() => []);
  const byEpoch = new Map<number, string>();
  for (const file of files) {
    const epoch = epochOfSampleFile(file);
    if (epoch !== null) byEpoch.set(epoch, file);
  }
  return byEpoch;
}
