import cluster, { type Worker } from 'node:cluster';

/**
 * Runs the server in several processes on one port (node:cluster: the primary accepts the
 * connections and hands them to the workers in turn), so every core draws digits. The primary
 * loads no model; each worker is a whole server.
 *
 * The first worker starts alone, so a bad model folder is reported once, by it, and stops
 * everything; the others start once it is listening. A worker that dies later is replaced.
 */
export interface WorkerPoolOptions {
  workers: number;
  log: (line: string) => void;
}

/** Set in a worker's environment when it should not repeat the start-up lines of the first. */
export const QUIET_ENV = 'MNIST_GAN_QUIET_WORKER';

/** The message a worker sends its primary once it is listening. */
export const READY_MESSAGE = 'mnist-gan:ready';

/** Tells the primary (when there is one) that this worker is serving. */
export function announceReady(): void {
  if (cluster.isWorker) process.send?.(READY_MESSAGE);
}

export async function runWorkerPool(options: WorkerPoolOptions): Promise<void> {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Each worker closes its server, which lets requests in flight finish, then exits.
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  // Installed before the first fork, so a stop during start-up also stops the workers.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const fork = (quiet: boolean): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork(quiet ? { [QUIET_ENV]: '1' } : {});
      // A worker forked just as the pool stops may find its channel closed: not an error.
      worker.on('error', () => {});
      const onExit = (code: number | null) => reject(new Error(`exit ${code ?? 'signal'}`));
      worker.once('exit', onExit);
      worker.on('message', (message) => {
        if (message !== READY_MESSAGE) return;
        worker.off('exit', onExit);
        worker.once('exit', (code, signal) => replace(worker, code, signal));
        options.log(`worker ${worker.process.pid} serving`);
        resolve(worker);
      });
    });

  const replace = (worker: Worker, code: number | null, signal: string | null) => {
    if (stopping) return;
    const cause = signal ? `signal ${signal}` : `exit code ${code}`;
    options.log(`worker ${worker.process.pid} died (${cause}); starting a replacement`);
    fork(true).catch((error) =>
      options.log(`replacement worker failed to start: ${error.message}`),
    );
  };

  try {
    await fork(false);
  } catch {
    // The worker has already said what was wrong on stderr, in one line.
    if (!stopping) process.exit(1);
    return;
  }
  try {
    await Promise.all(Array.from({ length: options.workers - 1 }, () => fork(true)));
  } catch (error) {
    // Workers stopped on purpose while starting are no failure; anything else is.
    if (stopping) return;
    throw error;
  }
  options.log(`${options.workers} worker processes serving`);
}

/** A worker whose primary is gone has no one to hand it connections: it leaves too. */
export function leaveWithPrimary(): void {
  if (cluster.isWorker) process.on('disconnect', () => process.exit(0));
}
