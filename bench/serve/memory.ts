import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of one server at one moment, every process of it counted. */
export interface MemorySample {
  /** When it was taken: "start", "after 64 connections", "end". */
  moment: string;
  /** One entry per process: the one spawned first, then its descendants (pool workers). */
  processes: { pid: number; residentMb: number }[];
  totalMb: number;
}

/** A process and every process below it, parents first. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...childrenOf(tree[i]));
  return tree;
}

/**
 * Linux lists a process's children per thread in /proc/PID/task/TID/children (on kernels built
 * with that file); `ps --ppid` answers the same question where it is missing.
 */
function childrenOf(pid: number): number[] {
  try {
    const found: number[] = [];
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
      found.push(...text.split(/\s+/).filter(Boolean).map(Number));
    }
    return found;
  } catch {
    const ps = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' });
    if (ps.status !== 0) return [];
    return ps.stdout.split(/\s+/).filter(Boolean).map(Number);
  }
}

/** VmRSS from /proc/PID/status in MB, or null for a process that has gone. */
export function residentMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kilobytes === undefined ? null : Number(kilobytes) / 1024;
  } catch {
    return null;
  }
}

export function sampleMemory(pid: number, moment: string): MemorySample {
  const processes = processTree(pid).flatMap((each) => {
    const mb = residentMb(each);
    return mb === null ? [] : [{ pid: each, residentMb: mb }];
  });
  const totalMb = processes.reduce((sum, each) => sum + each.residentMb, 0);
  return { moment, processes, totalMb };
}
