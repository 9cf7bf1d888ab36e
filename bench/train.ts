/**
 * npm run bench:train [-- --with-peer] [--epochs N]
 *
 * Seconds per epoch and milliseconds per step of seed-mlp training on the full MNIST
 * training set (batch 64), ours on tfjs's wasm backend beside the tutorial's PyTorch trainer,
 * measured one after the other in the same run so the ratio holds on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from '../src/data/mnist.js';
import { useBackend, tf } from '../src/models/backend.js';
import { readLossLog } from '../src/train/loss-log.js';
import { train } from '../src/train/train.js';
import { installPeer, PEER_DIR, PEER_PYTHON, peerAvailable } from './peer.js';

const args = process.argv.slice(2);
const withPeer = args.includes('--with-peer');
const epochs = Number(args[args.indexOf('--epochs') + 1] || 1) || 1;
const dataDir = defaultDataDir();
const STEPS_PER_EPOCH = Math.ceil(60000 / 64);

interface Row {
  name: string;
  secondsPerEpoch: number;
}

async function measureOurs(): Promise<Row> {
  await useBackend('wasm');
  const out = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    await train(
      {
        architecture: 'seed-mlp',
        epochs,
        batchSize: 64,
        learningRate: 0.002,
        seed: 0,
        data: dataDir,
        out,
        resume: false,
        limit: 0,
        backend: tf.getBackend(),
        progress: false,
        log: (line) => console.log(`  ours: ${line}`),
      },
      () => false,
    );
    const rows = readLossLog(join(out, 'losses.csv'));
    return {
      name: `mnist-gan (tfjs ${tf.getBackend()})`,
      secondsPerEpoch: mean(rows.map((r) => r.seconds)),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function measurePeer(): Row | null {
  if (!peerAvailable()) {
    if (!withPeer) return null;
    installPeer(dataDir, mkdtempSync(join(tmpdir(), 'seed-pytorch-')));
  }
  const out = mkdtempSync(join(tmpdir(), 'bench-peer-'));
  try {
    const run = spawnSync(PEER_PYTHON, [join(PEER_DIR, 'train.py'), dataDir, out, String(epochs)], {
      encoding: 'utf8',
    });
    if (run.status !== 0)
      throw new Error(`the PyTorch peer failed: ${run.stderr.trim().split('\n').pop()}`);
    const seconds = [...run.stdout.matchAll(/seconds ([\d.]+)/g)].map((m) => Number(m[1]));
    for (const line of run.stdout.trim().split('\n')) console.log(`  peer: ${line}`);
    const torch = spawnSync(PEER_PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
    });
    return {
      name: `tutorial PyTorch ${torch.stdout.trim()} (CPU)`,
      secondsPerEpoch: mean(seconds),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

console.log(
  `seed-mlp training: batch 64, ${epochs} epoch(s) of 60,000 MNIST digits (${STEPS_PER_EPOCH} steps)`,
);
const ours = await measureOurs();
const peer = measurePeer();
console.log('');
console.log(`${'trainer'.padEnd(34)} ${'ms/step'.padStart(8)} ${'s/epoch'.padStart(8)}`);
for (const row of [ours, peer]) {
  if (!row) continue;
  const msPerStep = (row.secondsPerEpoch * 1000) / STEPS_PER_EPOCH;
  console.log(
    `${row.name.padEnd(34)} ${msPerStep.toFixed(1).padStart(8)} ${row.secondsPerEpoch.toFixed(1).padStart(8)}`,
  );
}
if (peer) {
  const ratio = peer.secondsPerEpoch / ours.secondsPerEpoch;
  console.log(
    `\nours is ${ratio.toFixed(2)}x faster per epoch than the peer (target: at least 2x) ` +
      `${ratio >= 2 ? 'MET' : 'NOT MET'}`,
  );
} else {
  console.log(
    `\npeer: Debian's PyTorch is not installed; run with --with-peer to install it (${PEER_PYTHON})`,
  );
}
