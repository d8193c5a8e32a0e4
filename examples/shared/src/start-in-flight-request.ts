/**
 * Test support: a request the server is in the middle of, for graceful shutdown tests.
 * `startInFlightRequest` sends a request with `Expect: 100-continue` and waits for
 * `100 Continue`, so that the test knows the server is handling it (and waiting for its body),
 * then lets the test send the body and read the answer when it chooses.
 */
import { request } from 'node:http';

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
