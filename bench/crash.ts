/**
 * npm run bench:crash [-- --kills 20] [--seed N]
 *
 * Kills `mnist-gan train` with SIGKILL at random moments (start-up, mid-epoch, while an epoch's
 * files are written), resumes it each time, and checks the run folder after every kill: the
 * checkpoint loads (or none was written yet), losses.csv has one whole row per epoch, no
 * finished epoch is lost. Each run is resumed to its end and its generator compared byte for
 * byte with an uninterrupted run's. The seed fixes the kill moments; pass it to reproduce.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMoment, killRepeatedly, uninterruptedRun, type Kill } from './crash/kill-loop.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const kills = option('--kills', 20);
const seed = option('--seed', Date.now() % 2 ** 32);

function row(cells: (string | number)[]): string {
  const widths = [4, 5, 44, 10, 4, 3, 8];
  return cells.map((cell, i) => String(cell).padEnd(widths[i] ?? 0)).join(' ');
}

function printKill(kill: Kill): void {
  const { checkpoint, rows, temporaries } = kill.state;
  const position = checkpoint ? `${checkpoint.epoch}/${checkpoint.stepInEpoch}` : 'none';
  const verdict = kill.problems.length === 0 ? 'ok' : kill.problems.join('; ');
  console.log(
    row([
      kill.kill,
      kill.round,
      `${describeMoment(kill.moment)} (${kill.afterMs} ms)`,
      position,
      rows,
      temporaries.length,
      kill.state.modelLoads ? 'yes' : 'NO',
      verdict,
    ]),
  );
}

const root = mkdtempSync(join(tmpdir(), 'bench-crash-'));
try {
  console.log(`seed ${seed} (npm run bench:crash -- --seed ${seed} repeats these kill moments)`);
  const reference = await uninterruptedRun(join(root, 'uninterrupted'));
  console.log(
    row([
      'kill',
      'round',
      'moment (signal sent)',
      'epoch/step',
      'rows',
      'tmp',
      'model ok',
      'verdict',
    ]),
  );
  const result = await killRepeatedly({ root, kills, seed, reference, onKill: printKill });

  const lost = result.kills.reduce((sum, kill) => sum + kill.state.lostEpochs, 0);
  const torn = result.kills.reduce((sum, kill) => sum + kill.state.tornRows, 0);
  const identical = result.rounds.every((round) => round.sameGenerator && round.sameLosses);
  const leftovers = result.rounds.reduce((sum, round) => sum + round.temporariesLeft.length, 0);
  const modelMismatches = result.kills.filter((kill) => !kill.state.modelLoads).length;
  const beforeFirstCheckpoint = result.kills.filter((kill) => !kill.state.checkpoint).length;
  for (const round of result.rounds) {
    const verdict = round.problems.length === 0 ? 'ok' : round.problems.join('; ');
    console.log(
      `round ${round.round}: ${round.kills} kills, ${round.sessions} sessions, ${verdict}`,
    );
  }
  console.log(
    `${beforeFirstCheckpoint} kills came before the first checkpoint; ` +
      `${leftovers} temporary files left after the runs finished; ` +
      `${modelMismatches} kills left model/ with weights and manifest of different epochs`,
  );
  console.log(
    `${result.kills.length} kills: ${lost} lost epochs, ${torn} torn rows, final weights ` +
      `${identical ? 'identical to' : 'DIFFERENT from'} an uninterrupted run`,
  );
  const failed =
    result.kills.some((kill) => kill.problems.length > 0) ||
    result.rounds.some((round) => round.problems.length > 0);
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(root, { recursive: true, force: true });
}
