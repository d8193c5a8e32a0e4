/**
 * Test support: serves a fetch handler (`(request: Request) => Promise<Response>`) from a Node
 * `http` listener, so that the shared case table (which speaks HTTP through supertest) reaches
 * the fetch adapter. Every raw header line is appended to the `Request`'s `Headers`, so repeated
 * `Authorization` fields arrive joined with ", " exactly as in a fetch runtime.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** A fetch-style handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Turns a Node request into a Web `Request` (the body read whole). */
export async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body === undefined || req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
  });
}

async function write(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * A Node listener that runs `handler` for every request.
 *
 * @example
 * ```ts
 * http.createServer(toListener((request) => new Response('hi'))).listen(0);
 * ```
 */
export function toListener(handler: FetchHandler): RequestListener {
  return (req, res) => {
    toRequest(req)
      .then(handler)
      .then((response) => write(response, res))
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
  };
}
