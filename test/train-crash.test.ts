import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  describeMoment,
  finalState,
  inspectRun,
  killAllSessions,
  killRepeatedly,
  runSession,
  uninterruptedRun,
  type Kill,
  type Reference,
  type Round,
} from '../bench/crash/kill-loop.js';
import { temporaryDir } from './fixtures/temp-dir.js';

/**
 * `mnist-gan train` run as its own process on a tiny seed-mlp run (6 epochs of 8 steps) and
 * killed with SIGKILL at random moments, then resumed, until it is done. The kill moments come
 * from a seeded generator; set CRASH_SEED to the seed printed below to repeat them.
 * npm run bench:crash does the same with 20 kills.
 */
const KILLS = 4;
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 32);
const root = temporaryDir('train-crash');

let reference: Reference;
let kills: Kill[];
let rounds: Round[];

before(async () => {
  console.log(`train-crash: kill moments from seed ${seed} (CRASH_SEED=${seed} repeats them)`);
  reference = await uninterruptedRun(join(root, 'uninterrupted'));
  ({ kills, rounds } = await killRepeatedly({
    root: join(root, 'killed'),
    kills: KILLS,
    seed,
    reference,
  }));
});

after(killAllSessions);

describe('training killed with SIGKILL at random moments and resumed', () => {
  test(`is killed ${KILLS} times`, () => {
    assert.equal(kills.length, KILLS);
  });

  test('leaves after every kill a checkpoint that loads, or none when no epoch had ended', () => {
    for (const kill of kills) {
      const where = `kill ${kill.kill}, ${describeMoment(kill.moment)}`;
      assert.deepEqual(kill.problems, [], where);
      if (kill.state.checkpoint === null) assert.ok(kill.state.rows <= 1, where);
    }
  });

  test('never loses a finished epoch: losses.csv is at most the one epoch being saved ahead', () => {
    for (const kill of kills) {
      const done = kill.state.checkpoint?.epoch ?? 0;
      assert.ok(kill.state.rows === done || kill.state.rows === done + 1, `kill ${kill.kill}`);
      assert.equal(kill.state.lostEpochs, 0, `kill ${kill.kill}`);
    }
  });

  test('never leaves a torn or repeated row in losses.csv', () => {
    for (const kill of kills) assert.equal(kill.state.tornRows, 0, `kill ${kill.kill}`);
  });

  test('ends with 6 epochs, the losses and the generator bytes of an uninterrupted run', () => {
    for (const round of rounds) {
      assert.deepEqual(round.problems, [], `round ${round.round}`);
      assert.equal(round.sameGenerator, true);
      assert.equal(round.sameLosses, true);
      assert.equal(reference.losses.length, 1 + 6);
    }
  });

  test('removes the temporary files kills left once it resumes to the end', () => {
    for (const round of rounds) assert.deepEqual(round.temporariesLeft, []);
  });
});

describe('training stopped with SIGTERM or SIGINT', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} saves a checkpoint, exits with 0, and the resumed run ends like an uninterrupted one`, async () => {
      const out = join(root, signal);
      // A few milliseconds after epoch 1's line the run is saving epoch 1 or is inside epoch 2.
      const moment = { kind: 'epoch-end', epochLine: 1, ms: 5 } as const;
      const stopped = await runSession(out, { resume: false, moment, signal });

      assert.equal(stopped.code, 0, stopped.stderr);
      const state = inspectRun(out);
      assert.ok(state.checkpoint && state.checkpoint.epoch >= 1, 'a checkpoint was saved');
      const { epoch, stepInEpoch } = state.checkpoint;
      const stopLine =
        stepInEpoch > 0
          ? `stopped at epoch ${epoch + 1}, step ${stepInEpoch};`
          : `stopped after epoch ${epoch};`;
      assert.ok(stopped.stdout.includes(stopLine), `"${stopLine}" in ${stopped.stdout}`);
      assert.ok(stepInEpoch < 8, `step ${stepInEpoch} inside an epoch of 8`);
      assert.equal(state.rows, epoch, 'one row per epoch in the checkpoint');
      assert.deepEqual(state.temporaries, []);

      // What a SIGKILL mid-write would have left, named after the (now dead) stopped process.
      const stale = [
        `checkpoint.safetensors.${stopped.pid}.tmp`,
        `samples/epoch-002.png.${stopped.pid}.tmp`,
      ];
      for (const name of stale) writeFileSync(join(out, name), 'half a file');

      const resumed = await runSession(out, { resume: true });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stdout, /^removed 2 temporary file\(s\) left by an interrupted run$/m);
      assert.match(resumed.stdout, /^done: 6 epochs$/m);
      assert.deepEqual(inspectRun(out).temporaries, []);
      const final = finalState(out);
      assert.deepEqual(final.losses, reference.losses);
      assert.ok(final.generator.equals(reference.generator), 'same generator bytes');
    });
  }
});
