import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { tf } from '../models/backend.js';
import type { GenerationBatcher } from './batcher.js';
import type { ModelRegistry } from './model-registry.js';

/**
 * Prometheus metrics for one server process, answered at GET /metrics in the text format.
 *
 * Each process keeps its own counts. With `--workers N` the answer is that of the worker that
 * took the scrape, labelled with its pid so the series of different workers never mix.
 * Summing them in the primary (prom-client's AggregatorRegistry) would need a second port or a
 * round of messages to every worker per scrape; the Kubernetes manifests run one process per
 * pod, where the answer is the whole pod's.
 */
export function addMetrics(
  app: FastifyInstance,
  registry: ModelRegistry,
  batcher: GenerationBatcher,
): void {
  const metrics = new Registry();
  if (cluster.isWorker) metrics.setDefaultLabels({ pid: String(process.pid) });
  collectDefaultMetrics({ register: metrics });

  const requests = new Counter({
    name: 'mnist_gan_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics],
  });
  const latency = new Histogram({
    name: 'mnist_gan_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics],
  });
  // Powers of two up to 4096, the largest --batch-max.
  const batchSizes = new Histogram({
    name: 'mnist_gan_batch_size',
    help: 'Images drawn per forward pass of dynamic batching',
    buckets: Array.from({ length: 13 }, (_, i) => 2 ** i),
    registers: [metrics],
  });
  new Gauge({
    name: 'mnist_gan_models_loaded',
    help: 'Models this process serves',
    registers: [metrics],
    collect() {
      this.set(registry.models.length);
    },
  });

  // A leak of tensors shows here first: the count must come back to its start-up value.
  new Gauge({
    name: 'mnist_gan_live_tensors',
    help: 'Tensors this process holds (tfjs), the models weights among them',
    registers: [metrics],
    collect() {
      this.set(tf.memory().numTensors);
    },
  });

  batcher.onBatch = (images) => batchSizes.observe(images);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so /runs/NAME is one series whatever the name; requests
    // that matched no route share one label, or random URLs would grow the series forever.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: reply.statusCode });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics of this process', tags: ['operations'] } },
    async (_request, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.metrics();
    },
  );
}
