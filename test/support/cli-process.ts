import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** How a command ended, with everything it wrote. */
export interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without mnist-gan's own variables, so the machine's settings cannot leak. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('MNIST_GAN_') || name === 'PORT' || name === 'HOST') delete env[name];
  }
  return env;
}

/**
 * Starts `mnist-gan ...args` from the project folder as a user would (through tsx), with
 * `output` filling as it writes; a process still running after `limitMs` is killed.
 */
export function startCli(args: string[], limitMs = 60_000) {
  const command = ['--import', 'tsx', 'src/cli.ts', ...args];
  const child = spawn(process.execPath, command, { cwd: PROJECT_ROOT, env: cleanEnv() });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const ended = new Promise<Ended>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...output });
    }),
  );
  return { child, output, ended };
}
