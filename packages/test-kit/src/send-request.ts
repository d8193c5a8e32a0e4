/**
 * One HTTP request read in full with `node:http`, which, unlike `fetch`, can leave from another
 * local address: `127.0.0.2` is another client to a server on `127.0.0.1` (the rate limiter counts
 * failures per client address).
 */
import { request as httpRequest } from 'node:http';

/** An answer read in full. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP request, optionally from another local address (`127.0.0.2` is another client).
 *
 * @example
 * ```ts
 * const answer = await sendRequest(`${server.url}/v2/whoami`, { headers: { Authorization }, from: '127.0.0.2' });
 * ```
 */
export function sendRequest(
  url: string,
  options: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly from?: string;
  } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.from && { localAddress: options.from }),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
