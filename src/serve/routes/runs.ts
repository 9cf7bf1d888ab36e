import type { FastifyInstance, FastifyReply } from 'fastify';
import { listRuns, readRun, readSample, runVersion } from '../run-folders.js';
import { checkRawParameters, querystring } from '../schemas.js';

/** Options of the training-view routes. */
export interface RunsOptions {
  /** Folder whose subfolders are run folders; null serves an empty list. */
  dir: string | null;
  /** How often an event stream looks for a new epoch; training takes seconds per epoch at best. */
  pollMs?: number;
  /** Most event streams open at once in this process; each holds a timer and a socket. */
  maxStreams?: number;
}

const DEFAULTS = { pollMs: 2000, maxStreams: 32 };
/** A comment line this often keeps proxies from closing a stream that has nothing to say. */
const KEEP_ALIVE_MS = 30_000;
/** Longest life of one stream: EventSource reconnects by itself; a forgotten tab costs little. */
const STREAM_LIFETIME_MS = 30 * 60_000;

/** A run name as it may appear in a URL: no slash and no leading dot, so never "..". */
const runName = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$' } as const;

const lossesSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      epoch: { type: 'integer' },
      discriminator: { type: 'number' },
      generator: { type: 'number' },
      seconds: { type: 'number' },
    },
  },
} as const;

const summaryProperties = {
  name: { type: 'string' },
  epochs: { type: 'integer', description: 'epochs completed (rows of losses.csv)' },
  updated: { type: 'string', description: 'when losses.csv last changed, ISO 8601' },
} as const;

const notFound = (what: string) => ({ statusCode: 404, error: 'Not Found', message: what });

/**
 * The training view's API: GET /runs lists the run folders, GET /runs/:name gives one run's
 * losses and the epochs that have a sample grid, GET /runs/:name/samples/:epoch.png one grid,
 * and GET /runs/:name/events the run again (server-sent events) whenever it changes.
 */
export function runsRoute(app: FastifyInstance, options: RunsOptions): void {
  const { dir } = options;
  const pollMs = options.pollMs ?? DEFAULTS.pollMs;
  const maxStreams = options.maxStreams ?? DEFAULTS.maxStreams;
  const find = async (name: string) => (dir === null ? undefined : readRun(dir, name));

  app.get(
    '/runs',
    {
      schema: {
        summary: 'The training runs on this server (mnist-gan serve --runs)',
        tags: ['training'],
        querystring: querystring({}),
        response: {
          200: {
            type: 'object',
            properties: {
              runs: { type: 'array', items: { type: 'object', properties: summaryProperties } },
            },
          },
        },
      },
    },
    async () => ({ runs: dir === null ? [] : await listRuns(dir) }),
  );

  app.get<{ Params: { name: string } }>(
    '/runs/:name',
    {
      schema: {
        summary: "One run's losses per epoch and the epochs that have a sample grid",
        tags: ['training'],
        querystring: querystring({}),
        params: { type: 'object', properties: { name: runName } },
        response: {
          200: {
            type: 'object',
            properties: {
              ...summaryProperties,
              losses: lossesSchema,
              samples: { type: 'array', items: { type: 'integer' } },
            },
          },
          400: { $ref: 'problem#' },
          404: { $ref: 'problem#' },
        },
      },
    },
    async (request, reply) => {
      const run = await find(request.params.name);
      if (!run) return reply.code(404).send(notFound(`no run called "${request.params.name}"`));
      reply.header('cache-control', 'no-cache');
      return run;
    },
  );

  app.get<{ Params: { name: string; epoch: number } }>(
    '/runs/:name/samples/:epoch.png',
    {
      preValidation: checkRawParameters,
      schema: {
        summary: 'The sample grid a run drew after one epoch',
        tags: ['training'],
        querystring: querystring({}),
        params: {
          type: 'object',
          properties: { name: runName, epoch: { type: 'integer', minimum: 0 } },
        },
        response: {
          200: { content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } },
          400: { $ref: 'problem#' },
          404: { $ref: 'problem#' },
        },
      },
    },
    async (request, reply) => {
      const { name, epoch } = request.params;
      const png = dir === null ? undefined : await readSample(dir, name, epoch);
      if (!png) {
        const message = `run "${name}" has no sample grid for epoch ${epoch}`;
        return reply.code(404).send(notFound(message));
      }
      // A resumed run may redraw an epoch's grid, so the browser asks again (cheaply, by date).
      return reply.type('image/png').header('cache-control', 'no-cache').send(png);
    },
  );

  const streams = new Set<() => void>();
  // Open streams would keep app.close() waiting for ever; end them before it waits.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get<{ Params: { name: string } }>(
    '/runs/:name/events',
    {
      schema: {
        summary: 'Server-sent events: the run (as GET /runs/:name) now and after every change',
        description:
          `A "run" event carries the run as JSON; it is checked every ${pollMs / 1000} s. ` +
          'A "gone" event says the run folder has disappeared.',
        tags: ['training'],
        querystring: querystring({}),
        params: { type: 'object', properties: { name: runName } },
        response: {
          200: { content: { 'text/event-stream': { schema: { type: 'string' } } } },
          400: { $ref: 'problem#' },
          404: { $ref: 'problem#' },
          503: { $ref: 'problem#' },
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (dir === null || !(await readRun(dir, name))) {
        return reply.code(404).send(notFound(`no run called "${name}"`));
      }
      if (streams.size >= maxStreams) {
        const message = `too many event streams open (${maxStreams}); try again later`;
        return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message });
      }
      streamRun(reply, { dir, name, pollMs, streams });
    },
  );
}

interface StreamState {
  dir: string;
  name: string;
  pollMs: number;
  streams: Set<() => void>;
}

/** Sends the run, then again each time its version changes, until the client goes away. */
function streamRun(reply: FastifyReply, { dir, name, pollMs, streams }: StreamState) {
  reply.hijack();
  const raw = reply.raw;
  // Headers set by hooks (CORS) would be lost once hijacked; write them out with ours.
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string | number | string[]>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) => {
    if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  let version: string | undefined;
  let checking = false;
  let quietSince = Date.now();
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      // The version is taken before the run is read: a change in between is sent next time.
      const now = await runVersion(dir, name);
      if (now === undefined) {
        send('gone', { name });
        end();
      } else if (now !== version) {
        const run = await readRun(dir, name);
        version = now;
        if (run) send('run', run);
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= KEEP_ALIVE_MS) {
        if (!raw.writableEnded) raw.write(': still watching\n\n');
        quietSince = Date.now();
      }
    } catch {
      end();
    } finally {
      checking = false;
    }
  };

  const timer = setInterval(check, pollMs);
  const lifetime = setTimeout(() => end(), STREAM_LIFETIME_MS);
  const end = () => {
    clearInterval(timer);
    clearTimeout(lifetime);
    streams.delete(end);
    if (!raw.writableEnded) raw.end();
  };
  streams.add(end);
  raw.on('close', end);

  raw.write(`retry: ${pollMs * 2}\n\n`);
  void check();
}
