import { spawnSync } from 'node:child_process';
import { encodePng, toGreyLevels } from '../../src/image/png.js';
import { tf, useBackend } from '../../src/models/backend.js';
import { ARCHITECTURES } from '../../src/models/architectures.js';
import { loadGenerator } from '../../src/models/model-file.js';
import { LATENT_SIZE, IMAGE_SIZE, PIXELS, SEED_MLP_NAME } from '../../src/models/seed-mlp.js';
import { PEER_DIR, PEER_PYTHON } from '../peer.js';
import { driveLoad } from './load.js';
import { PEER_GENERATOR } from './servers.js';

/** Digits per second of our seed-mlp in this process, without HTTP. */
export interface OurDigitRates {
  backend: string;
  /** Latents to pixel arrays. */
  raw: number;
  /** Latents to one PNG per digit: generation, toGreyLevels and encodePng. */
  png: number;
  /** toGreyLevels and encodePng alone. */
  encodeOnly: number;
  /** One generated digit as PNG, which the ceiling server answers with. */
  samplePng: Buffer;
}

/**
 * Times `runs` batches of `batch` digits through the seed-mlp generator in `modelDir` on tfjs's
 * wasm backend (after one untimed batch that compiles the kernels); medians.
 */
export async function measureOurDigitRates(
  modelDir: string,
  batch: number,
  runs: number,
): Promise<OurDigitRates> {
  await useBackend('wasm');
  const { parameters } = loadGenerator(modelDir);
  const generator = ARCHITECTURES[SEED_MLP_NAME].load(parameters);
  const latents = uniformLatents(batch * LATENT_SIZE);
  try {
    generator.run(latents, null, batch);
    const raw: number[] = [];
    const png: number[] = [];
    const encodeOnly: number[] = [];
    let samplePng: Buffer = Buffer.alloc(0);
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const pixels = generator.run(latents, null, batch);
      const generated = performance.now();
      const encoded = encodeDigits(pixels, batch);
      const finished = performance.now();
      raw.push(perSecond(batch, generated - started));
      png.push(perSecond(batch, finished - started));
      encodeOnly.push(perSecond(batch, finished - generated));
      samplePng = encoded[0];
    }
    return {
      backend: tf.getBackend(),
      raw: median(raw),
      png: median(png),
      encodeOnly: median(encodeOnly),
      samplePng,
    };
  } finally {
    generator.dispose();
  }
}

function encodeDigits(pixels: Float32Array, count: number): Buffer[] {
  const encoded: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const cell = pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
    encoded.push(encodePng({ width: IMAGE_SIZE, height: IMAGE_SIZE, pixels: toGreyLevels(cell) }));
  }
  return encoded;
}

/** The same measure for the tutorial's generator in Debian's PyTorch. */
export interface PeerDigitRate {
  torch: string;
  threads: number;
  raw: number;
}

const PEER_TIMING = `
import json, sys, time
import numpy as np
import torch
from train import Z, generator

batch, runs, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
g = generator()
g.load_state_dict(torch.load(path, map_location="cpu"))
g.eval()
z = torch.from_numpy(np.random.uniform(-1, 1, (batch, Z))).float()
rates = []
with torch.no_grad():
    g(z)
    for _ in range(runs):
        started = time.perf_counter()
        pixels = g(z).numpy()
        rates.append(batch / (time.perf_counter() - started))
print(json.dumps({"rates": rates, "torch": torch.__version__, "threads": torch.get_num_threads()}))
`;

/**
 * Builds the tutorial's generator from its own train.py, loads generator_epoch10.pth, and
 * times g(z) to a NumPy array under eval() and no_grad(), after one untimed batch; median.
 */
export function measurePeerDigitRate(batch: number, runs: number): PeerDigitRate {
  const timing = spawnSync(
    PEER_PYTHON,
    ['-c', PEER_TIMING, String(batch), String(runs), PEER_GENERATOR],
    { cwd: PEER_DIR, encoding: 'utf8', timeout: 300_000 },
  );
  if (timing.status !== 0) {
    const said = timing.stderr?.trim().split('\n').at(-1) ?? String(timing.error);
    throw new Error(`timing the PyTorch generator failed: ${said}`);
  }
  const { rates, torch, threads } = JSON.parse(timing.stdout.trim().split('\n').at(-1) ?? '');
  return { torch, threads, raw: median(rates) };
}

/** Digits in one POST /generate of the batch API. */
export const BATCH_API_COUNT = 256;

export interface BatchApiRate {
  count: number;
  connections: number;
  digitsPerSecond: number;
  p99Ms: number;
  errors: number;
}

/**
 * Why POST /generate cannot be measured on the server at `origin`, or null when it can: a
 * request for one digit must answer 200 (a 404 means the server predates the batch API).
 */
export async function batchApiProblem(origin: string): Promise<string | null> {
  const response = await fetch(`${origin}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count: 1 }),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  if (response.ok) return null;
  if (response.status === 404) return 'POST /generate answered 404: the server has no batch API';
  return `POST /generate answered ${response.status} to { "count": 1 }; not measured`;
}

/**
 * Digits per second through POST /generate with count=256 as JSON (one PNG data URL per digit),
 * over HTTP with `connections` requests in flight.
 */
export async function measureBatchApi(
  origin: string,
  connections: number,
  seconds: number,
): Promise<BatchApiRate> {
  const body = JSON.stringify({ count: BATCH_API_COUNT, format: 'json' });
  const level = await driveLoad(
    origin,
    { method: 'POST', path: '/generate', body },
    connections,
    seconds,
  );
  return {
    count: BATCH_API_COUNT,
    connections,
    digitsPerSecond: level.requestsPerSecond * BATCH_API_COUNT,
    p99Ms: level.p99Ms,
    errors: level.errors,
  };
}

function uniformLatents(length: number): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = Math.random() * 2 - 1;
  return values;
}

function perSecond(count: number, ms: number): number {
  return (count * 1000) / ms;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
