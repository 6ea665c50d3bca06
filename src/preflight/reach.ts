// Plain TCP reachability, closed politely: the kit connects, then ends its
// side with FIN and reads until the server closes (or a short grace passes),
// so a server that logs resets does not see one from a mere check.
import { connect } from 'node:net';
import type { Target } from '../runner/client.js';

/** How long the check waits for the server's FIN after sending its own. */
const CLOSE_GRACE_MS = 200;

/** Resolves undefined when the target accepts a connection, else the reason (ECONNREFUSED, ETIMEDOUT, ...). */
export function reachable(target: Target, timeoutMs: number, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    let settled = false;
    const onAbort = (): void => {
      socket.destroy();
      settle('interrupted');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (why: string | undefined): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      resolve(why);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      settle('ETIMEDOUT');
    }, timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // After connect an error (a reset while closing) changes nothing: the target was reachable.
      socket.destroy();
      settle(err.code ?? err.message);
    });
    socket.once('connect', () => {
      settle(undefined);
      // Drain what the server sends (a welcome), so that closing does not turn into a reset.
      socket.on('data', () => {});
      socket.end();
      const grace = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      grace.unref();
      socket.once('close', () => clearTimeout(grace));
    });
  });
}
