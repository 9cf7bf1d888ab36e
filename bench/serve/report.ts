import type { BatchApiRate, OurDigitRates, PeerDigitRate } from './digit-rates.js';
import type { LoadLevel } from './load.js';
import type { MemorySample } from './memory.js';
import type { ProcessMetrics } from './process-metrics.js';
import type { TargetName } from './servers.js';

/** The share of the one-process ceiling that our requests/s per process should reach. */
export const PER_PROCESS_TARGET = 0.5;
/** The share of PyTorch's raw digits/s that our PNG-encoded digits/s should reach. */
export const PNG_TARGET = 0.5;

/** Everything one run measured; `--json` prints it as it is, the table is made from it. */
export interface ServeReport {
  machine: { cores: number; loadAverageAtStart: number; node: string };
  settings: {
    seconds: number;
    warmupSeconds: number;
    connections: number[];
    workers: number;
    startupRuns: number;
    batch: number;
    batchRuns: number;
  };
  targets: { name: TargetName; label: string }[];
  /** The model our server answers GET /generate with (its default). */
  ourModel: string;
  load: (LoadLevel & { target: TargetName })[];
  ratios: LevelRatios[];
  /** Until the first answer; for ours with workers, also until every worker serves. */
  startup: {
    target: TargetName;
    medianMs: number;
    runsMs: number[];
    allProcessesMedianMs?: number;
  }[];
  digits: {
    ours: Omit<OurDigitRates, 'samplePng'>;
    peer: PeerDigitRate | null;
    /** Our PNG-encoded digits/s over PyTorch's raw digits/s. */
    oursPngOverPeerRaw: number | null;
    /** POST /generate; null with `batchApiMissing` saying why when it was not measured. */
    batchApi: BatchApiRate | null;
    batchApiMissing?: string;
  };
  memory: { target: TargetName; samples: MemorySample[] }[];
  /** Our processes' live tensors once up and at the end; null when /metrics could not say. */
  tensors: { start: ProcessMetrics[]; end: ProcessMetrics[] } | null;
  /** Why something was left out (no peer, no batch API). */
  notes: string[];
}

export interface LevelRatios {
  connections: number;
  oursOverPeerRequests: number | null;
  oursOverPeerP99: number | null;
  oursOverCeiling: number | null;
  /** Our requests/s divided by our worker count, over the one-process ceiling's. */
  oursPerProcessOverCeiling: number | null;
}

export function levelRatios(
  load: ServeReport['load'],
  connections: number[],
  workers: number,
): LevelRatios[] {
  const at = (target: TargetName, level: number) =>
    load.find((row) => row.target === target && row.connections === level);
  return connections.map((level) => {
    const ours = at('ours', level);
    const peer = at('peer', level);
    const ceiling = at('ceiling', level);
    const over = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined || b === 0 ? null : a / b;
    return {
      connections: level,
      oursOverPeerRequests: over(ours?.requestsPerSecond, peer?.requestsPerSecond),
      oursOverPeerP99: over(ours?.p99Ms, peer?.p99Ms),
      oursOverCeiling: over(ours?.requestsPerSecond, ceiling?.requestsPerSecond),
      oursPerProcessOverCeiling: over(
        ours && ours.requestsPerSecond / workers,
        ceiling?.requestsPerSecond,
      ),
    };
  });
}

/** The report as plain tables for people. */
export function formatReport(report: ServeReport): string {
  const { settings, machine } = report;
  const label = (name: TargetName) =>
    report.targets.find((target) => target.name === name)?.label ?? name;
  const out: string[] = [];

  out.push(
    `GET /generate on 127.0.0.1, ${settings.seconds} s per level after ${settings.warmupSeconds} s ` +
      `of warm-up; ${machine.cores} cores, load average ${machine.loadAverageAtStart.toFixed(2)} ` +
      `at start; node ${machine.node}`,
    `our server answers with model ${report.ourModel} (its default)`,
    '',
  );
  out.push(
    table(
      ['target', 'connections', 'requests/s', 'p50 ms', 'p99 ms', 'errors'],
      report.load.map((row) => [
        label(row.target),
        String(row.connections),
        row.requestsPerSecond.toFixed(1),
        row.p50Ms.toFixed(1),
        row.p99Ms.toFixed(1),
        String(row.errors),
      ]),
    ),
    '',
  );

  out.push(
    table(
      [
        'connections',
        'our/peer req/s',
        'our/peer p99',
        'our/ceiling req/s',
        `our per process (/${settings.workers})/ceiling`,
      ],
      report.ratios.map((row) => [
        String(row.connections),
        times(row.oursOverPeerRequests),
        times(row.oursOverPeerP99),
        times(row.oursOverCeiling),
        times(row.oursPerProcessOverCeiling),
      ]),
    ),
  );
  const perProcess = report.ratios.filter((row) => row.oursPerProcessOverCeiling !== null);
  if (perProcess.length > 0) {
    const best = perProcess.reduce((a, b) =>
      (b.oursPerProcessOverCeiling as number) > (a.oursPerProcessOverCeiling as number) ? b : a,
    );
    const ratio = best.oursPerProcessOverCeiling as number;
    out.push(
      `our requests/s per process are ${percent(ratio)} of the one-process ceiling at best ` +
        `(${best.connections} connections; target: at least ${percent(PER_PROCESS_TARGET)}) ` +
        verdict(ratio >= PER_PROCESS_TARGET),
    );
  }
  out.push('');

  out.push(
    `start-up: spawn until the first answer (/health for ours, /generate for the peer), ` +
      `median of ${settings.startupRuns}; and until every worker of ours serves`,
  );
  out.push(
    table(
      ['target', 'first answer ms', 'runs ms', 'all workers ms'],
      report.startup.map((row) => [
        label(row.target),
        row.medianMs.toFixed(0),
        row.runsMs.map((ms) => ms.toFixed(0)).join(', '),
        row.allProcessesMedianMs?.toFixed(0) ?? '-',
      ]),
    ),
    '',
  );

  const { digits } = report;
  out.push(
    `digits per second, batches of ${settings.batch} in one process, median of ${settings.batchRuns}`,
  );
  const digitRows = [
    [`ours raw (seed-mlp, tfjs ${digits.ours.backend})`, digits.ours.raw.toFixed(0)],
    ['ours PNG (generate, toGreyLevels, encodePng)', digits.ours.png.toFixed(0)],
    ['ours PNG encoding alone', digits.ours.encodeOnly.toFixed(0)],
  ];
  if (digits.peer) {
    const { torch, threads, raw } = digits.peer;
    digitRows.push([`peer raw (PyTorch ${torch}, ${threads} threads)`, raw.toFixed(0)]);
  }
  if (digits.batchApi) {
    const { count, connections, digitsPerSecond } = digits.batchApi;
    digitRows.push([
      `ours over HTTP: POST /generate count=${count}, ${connections} connections`,
      digitsPerSecond.toFixed(0),
    ]);
  }
  out.push(table(['measure', 'digits/s'], digitRows));
  if (digits.oursPngOverPeerRaw !== null) {
    const ratio = digits.oursPngOverPeerRaw;
    out.push(
      `ours PNG / peer raw: ${times(ratio)} (target: at least ${times(PNG_TARGET)}) ` +
        verdict(ratio >= PNG_TARGET),
    );
  }
  out.push('');

  out.push('resident memory, MB (VmRSS; ours: all processes, primary first)');
  const moments = [
    ...new Set(report.memory.flatMap((entry) => entry.samples.map((sample) => sample.moment))),
  ];
  out.push(
    table(
      ['moment', ...report.memory.map((entry) => entry.target)],
      moments.map((moment) => [
        moment,
        ...report.memory.map((entry) => {
          const sample = entry.samples.find((each) => each.moment === moment);
          return sample ? describeMemory(sample) : '-';
        }),
      ]),
    ),
  );

  if (report.tensors) out.push('', ...describeTensors(report.tensors));
  if (report.notes.length > 0) out.push('', ...report.notes.map((note) => `note: ${note}`));
  return out.join('\n');
}

function describeMemory(sample: MemorySample): string {
  const total = sample.totalMb.toFixed(0);
  if (sample.processes.length < 2) return total;
  return `${total} (${sample.processes.map((each) => each.residentMb.toFixed(0)).join('+')})`;
}

/** Columns padded to their widest cell: the first to the left, the others to the right. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ');
  return [header, ...rows].map(line).join('\n');
}

function times(ratio: number | null): string {
  return ratio === null ? '-' : `${ratio.toFixed(2)}x`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}

function verdict(met: boolean): string {
  return met ? 'MET' : 'NOT MET';
}

/** Per process: live tensors once up, then after all the load; a leak shows as growth. */
function describeTensors({ start, end }: NonNullable<ServeReport['tensors']>): string[] {
  const rows = end.map((after) => {
    const before = start.find((each) => each.process === after.process);
    return [
      after.process,
      before ? String(before.liveTensors) : '-',
      after.requests.toLocaleString('en'),
      String(after.liveTensors),
    ];
  });
  const back = end.every(
    (after) =>
      start.find((each) => each.process === after.process)?.liveTensors === after.liveTensors,
  );
  const requests = end.reduce((sum, each) => sum + each.requests, 0);
  return [
    'live tensors of our processes (GET /metrics), once up and after all the load',
    table(['process', 'tensors once up', 'requests answered', 'tensors after'], rows),
    `after ${requests.toLocaleString('en')} requests the live tensors are back to their ` +
      `start-up values: ${verdict(back && end.length > 0)}`,
  ];
}
