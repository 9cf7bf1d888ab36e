import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tutorial's PyTorch stack, kept beside this project in ../shared/peers/seed-pytorch. */
export const PEER_DIR = resolve(
  process.env.SEED_PYTORCH_DIR ??
    join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'peers', 'seed-pytorch'),
);

/** Debian's own Python, where Debian's PyTorch installs (not necessarily python3 on PATH). */
export const PEER_PYTHON = '/usr/bin/python3';

/** True when the peer's scripts and Debian's PyTorch, FastAPI and uvicorn are all present. */
export function peerAvailable(): boolean {
  if (!existsSync(join(PEER_DIR, 'train.py')) || !existsSync(PEER_PYTHON)) return false;
  const probe = spawnSync(PEER_PYTHON, ['-c', 'import torch, fastapi, uvicorn, PIL'], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/** Installs the peer from Debian's packages via its own setup script (needs root and apt). */
export function installPeer(idxDir: string, outDir: string): void {
  const setup = spawnSync('bash', [join(PEER_DIR, 'setup.sh'), idxDir, outDir], {
    stdio: 'inherit',
  });
  if (setup.status !== 0)
    throw new Error(`${join(PEER_DIR, 'setup.sh')} failed (exit ${setup.status})`);
}
