import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long connections may stay open after a stop begins, for clients' next requests. */
const DRAIN_GRACE_MS = 2_000;
/** The longest a stop waits for answers in flight before cutting their connections. */
const DRAIN_LIMIT_MS = 15_000;
/** How often the open connections are counted while draining. */
const POLL_MS = 25;

/**
 * Stops an HTTP server without failing a request: no new connections are taken, every open
 * one is closed by its client after its next answer (the app marks answers `Connection: close`
 * once draining starts), idle ones are closed after a grace period, and whatever still hangs
 * after the limit is cut.
 *
 * Node's own `http.Server.close()` closes idle keep-alive connections at once; under load a
 * connection is "idle" only for the moment between an answer and the client's next request,
 * which is then already on the wire and fails. So only the listening socket is closed here
 * (net.Server's close), and idle connections are left a grace period to be used and closed.
 */
export async function drainServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    NetServer.prototype.close.call(server, () => resolve()),
  );
  if (!(await connectionsGone(server, DRAIN_GRACE_MS))) {
    server.closeIdleConnections();
    if (!(await connectionsGone(server, DRAIN_LIMIT_MS - DRAIN_GRACE_MS))) {
      server.closeAllConnections();
    }
  }
  await closed;
}

/** Waits up to `ms` for the server to hold no connection; says whether it got there. */
async function connectionsGone(server: Server, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while ((await openConnections(server)) > 0) {
    if (performance.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.getConnections((error, count) => resolve(error ? 0 : count)),
  );
}
