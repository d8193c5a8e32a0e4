/**
 * Test support: the misbehaving clients of the example servers' operating tests, over a raw TCP
 * socket. `holdConnection` opens a connection that sends nothing, drips its headers or its body a
 * few bytes at a time (slowloris), or stays idle after one answered request, and resolves when
 * the server closes it, with what the server sent and how long it was held.
 */
import { connect } from 'node:net';

/**
 * How the connection misbehaves: `'idle'` sends nothing at all, `'slow-headers'` sends a request
 * line and then one header line every `dripMs` (never the blank line that ends the headers),
 * `'slow-body'` sends complete headers of a `POST path` with a 50,000-byte JSON body (under the
 * examples' 100 KiB limit) and then 10 bytes of it every `dripMs`, `'keep-alive'` sends one
 * complete `GET /health` and then stays idle.
 */
export type HeldConnection = 'idle' | 'slow-headers' | 'slow-body' | 'keep-alive';

/**
 * Options of {@link holdConnection}.
 *
 * @example
 * ```ts
 * const options: HoldOptions = { path: '/v2/apps/app_a/users/u_1/messages', headers: { Authorization } };
 * ```
 */
export interface HoldOptions {
  /** Milliseconds between two drips (default 100). */
  readonly dripMs?: number;
  /** Fail when the server keeps the connection longer (default 30 s). */
  readonly giveUpMs?: number;
  /** The path of a `'slow-body'` request (default `/`). */
  readonly path?: string;
  /** Extra header fields of a `'slow-body'` request (credentials). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the server did with a held connection. */
export interface ConnectionClosed {
  /** Milliseconds from the connection's opening to its closing by the server. */
  readonly heldMs: number;
  /** Everything the server sent (for `'keep-alive'`, the answer to the one request first). */
  readonly received: string;
}

/**
 * Opens a connection that behaves as `how` says and resolves once the server closes it.
 *
 * @throws (as a rejection) when the server keeps the connection longer than `giveUpMs`.
 * @example
 * ```ts
 * const { heldMs, received } = await holdConnection(server.url, 'slow-headers');
 * ```
 */
export function holdConnection(
  url: string,
  how: HeldConnection,
  options: HoldOptions = {},
): Promise<ConnectionClosed> {
  const { dripMs = 100, giveUpMs = 30_000, path = '/', headers = {} } = options;
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let opened = 0;
    let drip: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a ${how} connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {
      // A reset is a close too; 'close' follows.
    });
    socket.once('connect', () => {
      opened = Date.now();
      if (how === 'keep-alive') {
        socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      } else if (how === 'slow-headers') {
        socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\n`);
        let line = 0;
        drip = setInterval(() => {
          line += 1;
          socket.write(`X-Slow-${line}: ${'a'.repeat(8)}\r\n`);
        }, dripMs);
      } else if (how === 'slow-body') {
        const fields = Object.entries({
          Host: hostname,
          'Content-Type': 'application/json',
          'Content-Length': '50000',
          ...headers,
        });
        socket.write(
          `POST ${path} HTTP/1.1\r\n${fields.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`,
        );
        // Whitespace: a valid start of a JSON body that never ends in time.
        drip = setInterval(() => socket.write(' '.repeat(10)), dripMs);
      }
    });
    socket.once('close', () => {
      clearTimeout(giveUp);
      clearInterval(drip);
      resolve({ heldMs: Date.now() - opened, received });
    });
  });
}
