import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/**
 * The tfjs backends a command can run on. `wasm` ships inside its npm package and is the
 * default; `cpu` is plain JavaScript, slow but always there; `tensorflow` is the native
 * library of `@tensorflow/tfjs-node`, used only when that optional package is installed.
 */
export const BACKENDS = ['wasm', 'cpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function parseBackend(value: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, got "${value}"`);
}

/** Selects and initialises a backend; throws a message that says what is missing. */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') await importNativeBackend();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the tfjs backend "${name}" failed to initialise`);
  await tf.ready();
}

async function importNativeBackend(): Promise<void> {
  // A variable module name keeps TypeScript from requiring the optional package at build time.
  const moduleName = '@tensorflow/tfjs-node';
  try {
    await import(moduleName);
  } catch {
    throw new Error(
      '--backend tensorflow needs the optional package @tensorflow/tfjs-node; ' +
        'install it or use --backend wasm',
    );
  }
}

export { tf };
