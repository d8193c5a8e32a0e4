/**
 * Test support: the misbehaving and the patient clients that the example servers' operating
 * tests use over a raw TCP socket. `holdConnection` opens a connection that sends nothing, drips
 * its headers or its body a few bytes at a time (slowloris), or stays idle after one answered
 * request, and
 * resolves when the server closes it, with what the server sent. `startInFlightRequest` sends a
 * request with `Expect: 100-continue` and waits for `100 Continue`, so that the test knows the
 * server is handling it, then lets the test finish it (for graceful shutdown tests).
 */
import { request } from 'node:http';
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

/** A request the server is handling, waiting for its body. */
export interface InFlightRequest {
  /** Sends the body and resolves the answer. */
  finish(): Promise<{ readonly status: number; readonly body: string }>;
}

/**
 * Starts `POST url` with `Expect: 100-continue` and the given headers, and resolves once the
 * server answered `100 Continue`: the request is then in the server's hands, waiting for `body`.
 *
 * @throws (as a rejection) when the server answers without `100 Continue`, or fails.
 * @example
 * ```ts
 * const pending = await startInFlightRequest(`${url}/v2/apps/app_a/users/u1/messages`, headers, '{"a":1}');
 * process.kill(-pid, 'SIGTERM');
 * expect((await pending.finish()).status).toBe(201);
 * ```
 */
export function startInFlightRequest(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<InFlightRequest> {
  return new Promise((resolveStarted, rejectStarted) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        ...headers,
        Expect: '100-continue',
        'Content-Length': String(Buffer.byteLength(body)),
      },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.once('error', reject);
      });
      req.once('error', reject);
    });
    let started = false;
    answer.then(
      (early) => {
        if (!started) rejectStarted(new Error(`answered before 100 Continue: ${early.status}`));
      },
      (error: unknown) => {
        if (!started) rejectStarted(error);
      },
    );
    req.once('continue', () => {
      started = true;
      resolveStarted({
        finish: () => {
          req.end(body);
          return answer;
        },
      });
    });
    req.flushHeaders();
  });
}
