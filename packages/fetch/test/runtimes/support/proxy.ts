/**
 * Puts a runtime behind the case table: a `node:http` listener that forwards each request to the
 * runtime as it came (every raw header line, repeated `Authorization` fields included), naming the
 * case's failing store operation in the fixture's `x-keyscope-test-store` header, then asks the
 * runtime which protected handlers ran (`GET /__probe`) and reports them to the case's probe
 * before it hands the runtime's answer back unchanged.
 */
import { type RequestListener, request as send } from 'node:http';
import type { Probe, StoreFault } from '@keyscope/test-kit';
import { STORE_HEADER } from '../fixture/runtime-app.js';

/**
 * A listener that serves `origin`'s answers.
 *
 * @example
 * ```ts
 * runCaseTable('deno', (_store, probe, { storeFault }) => proxyTo(deno.origin, probe, storeFault));
 * ```
 */
export function proxyTo(
  origin: string,
  probe: Probe,
  fault: StoreFault | undefined,
): RequestListener {
  const { hostname, port } = new URL(origin);
  return (req, res) => {
    const headers = [...req.rawHeaders, ...(fault ? [STORE_HEADER, fault] : [])];
    const forward = send(
      { hostname, port, method: req.method, path: req.url, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          fetch(`${origin}/__probe`)
            .then((ran) => ran.json() as Promise<string[]>)
            .then((calls) => {
              for (const call of calls) probe.ran(call);
              res.writeHead(answer.statusCode ?? 502, answer.rawHeaders).end(Buffer.concat(chunks));
            })
            .catch((error: unknown) => res.writeHead(502).end(String(error)));
        });
      },
    );
    forward.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(forward);
  };
}
