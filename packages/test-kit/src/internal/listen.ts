/**
 * Puts a server under test on a loopback port for the length of a test: a request listener gets
 * its own `http.Server`, a server that is not listening yet is started on port 0, and both are
 * closed (with every connection) when the test is done.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a server factory may give: a listening or idle `http.Server`, or a request listener. */
export type ServerTarget = Server | RequestListener;

/** A server listening on a loopback port. */
export interface Listening {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/** Listens with `target` on a free loopback port (unless it listens already). */
export async function listen(target: ServerTarget): Promise<Listening> {
  const server = typeof target === 'function' ? createServer(target) : target;
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  }
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `run` against `target` listening, and closes it afterwards. */
export async function withListening(
  target: ServerTarget,
  run: (listening: Listening) => Promise<void>,
): Promise<void> {
  const listening = await listen(target);
  try {
    await run(listening);
  } finally {
    await listening.close();
  }
}
