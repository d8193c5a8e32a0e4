/**
 * Sends fuzz requests over real HTTP: through `node:http` with a keep-alive agent (several
 * `Authorization` lines are sent as an array value, the header name in the case's spelling), or,
 * for bytes an HTTP client refuses to write (CR, LF, NUL, control characters), as raw text on a
 * connection of its own. Every answer comes back as its status, headers and body, or as the
 * connection error that ended it.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { FuzzCase } from './cases.js';

/** What came back. `status` is 0 when the connection failed before a status line. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly error?: string;
}

const TIMEOUT = 15_000;
const MAX_BODY = 64 * 1024;

/** A client of one server. */
export interface Client {
  send(fuzzCase: FuzzCase): Promise<Answer>;
  close(): void;
}

/** Creates a keep-alive client of the server at `host:port` with at most `sockets` connections. */
export function createClient(host: string, port: number, sockets: number): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });

  function viaHttp(c: FuzzCase): Promise<Answer> {
    const headers: Record<string, string | string[]> = {};
    if (c.authorization !== undefined) {
      headers[c.headerName ?? 'Authorization'] =
        c.authorization.length === 1 ? (c.authorization[0] as string) : [...c.authorization];
    }
    if (c.body !== undefined) headers['Content-Type'] = 'application/json';
    return new Promise((resolve) => {
      let settled = false;
      const done = (answer: Answer) => {
        if (!settled) {
          settled = true;
          resolve(answer);
        }
      };
      let req: ReturnType<typeof request>;
      try {
        req = request({ host, port, agent, method: c.method, path: c.path, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < MAX_BODY) body += chunk;
          });
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', (error) =>
            done({ status: res.statusCode ?? 0, headers: res.headers, body, error: code(error) }),
          );
        });
      } catch (error) {
        done({ status: 0, headers: {}, body: '', error: `client refused: ${code(error)}` });
        return;
      }
      req.setTimeout(TIMEOUT, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => done({ status: 0, headers: {}, body: '', error: code(error) }));
      req.end(c.body);
    });
  }

  function viaSocket(raw: string): Promise<Answer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect({ host, port });
      let settled = false;
      const finish = (error?: string) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        const text = Buffer.concat(chunks).toString('latin1');
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        const split = text.indexOf('\r\n\r\n');
        const headers: Record<string, string> = {};
        for (const line of text
          .slice(0, split === -1 ? text.length : split)
          .split('\r\n')
          .slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        resolve({
          status: match ? Number(match[1]) : 0,
          headers,
          body: split === -1 ? '' : text.slice(split + 4),
          ...(match ? {} : { error: error ?? 'no status line' }),
        });
      };
      socket.setTimeout(TIMEOUT, () => finish('timeout'));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => finish());
      socket.on('close', () => finish());
      socket.on('error', (error) => finish(code(error)));
      // Not end(): a half-closed connection may be dropped before its answer. The request asks
      // for `Connection: close`, so the server closes once it answered.
      socket.write(Buffer.from(raw, 'utf8'));
    });
  }

  return {
    send: (c) => (c.raw === undefined ? viaHttp(c) : viaSocket(c.raw)),
    close: () => agent.destroy(),
  };
}

function code(error: unknown): string {
  const { code: c, message } = Object(error) as { code?: string; message?: string };
  return c ?? message ?? String(error);
}
