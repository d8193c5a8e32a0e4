/**
 * A minimal HTTP server in front of an authenticator, as an API instance would be: every request
 * is authenticated (core's `toErrorResponse` renders refusals) and counted when the handler runs,
 * so tests can prove a refused request never reached it. `request()` sends one Basic credential.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  basicAuthorization,
  createAuthenticator,
  type KeyStore,
  toErrorResponse,
} from '@keyscope/core';

export interface TestServer {
  /** How many requests reached the protected handler. */
  readonly handled: number;
  request(credential: { id: string; secret: string }): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly wwwAuthenticate: string | null;
}

export async function startServer(store: KeyStore): Promise<TestServer> {
  const authenticator = createAuthenticator({ store });
  let handled = 0;
  const server = createServer((req, res) => {
    authenticator.authenticate({ authorization: req.headersDistinct.authorization }).then(
      (auth) => {
        handled++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keyId: auth.keyId }));
      },
      (error: unknown) => {
        const answer = toErrorResponse(error);
        res.writeHead(answer.status, answer.headers);
        res.end(JSON.stringify(answer.body));
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    get handled() {
      return handled;
    },
    async request(credential) {
      const response = await fetch(base, {
        headers: { authorization: basicAuthorization(credential) },
      });
      const body = (await response.json()) as { errors?: Array<{ code: string }> };
      return {
        status: response.status,
        code: body.errors?.[0]?.code,
        wwwAuthenticate: response.headers.get('www-authenticate'),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
