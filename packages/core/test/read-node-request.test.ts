/**
 * `readNodeRequest`: the neutral `AuthRequest` of a Node request. Every raw `Authorization` value
 * (from `headersDistinct`, or `rawHeaders` when a fake request has none), the method and the
 * client's address; checked on plain objects and on real requests of a `node:http` server, where
 * two `Authorization` fields arrive as two values (and the authenticator refuses them with 400).
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthRequest,
  createAuthenticator,
  createMemoryStore,
  type NodeRequestLike,
  readNodeRequest,
} from '../src/index.js';
import {
  basic,
  expectAuthError,
  KEY,
  keysDocument,
  refused,
  rejection,
  SECRET,
} from './support/fixtures.js';

describe('readNodeRequest on request-like objects', () => {
  it('takes every value of headersDistinct', () => {
    const req: NodeRequestLike = {
      headersDistinct: { authorization: ['Basic a', 'Basic b'], host: ['x'] },
      rawHeaders: [],
      method: 'POST',
      socket: { remoteAddress: '203.0.113.7' },
    };
    expect(readNodeRequest(req)).toEqual({
      authorization: ['Basic a', 'Basic b'],
      method: 'POST',
      address: '203.0.113.7',
    });
  });

  it('falls back to rawHeaders, matching the name in any case', () => {
    const req: NodeRequestLike = {
      rawHeaders: [
        'Host',
        'x',
        'AUTHORIZATION',
        'Basic a',
        'x-authorization',
        'no',
        'authorization',
        'Basic b',
      ],
      method: 'GET',
    };
    expect(readNodeRequest(req)).toEqual({
      authorization: ['Basic a', 'Basic b'],
      method: 'GET',
      address: undefined,
    });
  });

  it('does not read a header value as a name', () => {
    const req: NodeRequestLike = { rawHeaders: ['X-Note', 'authorization', 'Host', 'x'] };
    expect(readNodeRequest(req).authorization).toBeUndefined();
  });

  it.each<[string, NodeRequestLike]>([
    [
      'headersDistinct without the field',
      { headersDistinct: {}, rawHeaders: ['Authorization', 'ignored'] },
    ],
    ['rawHeaders without the field', { rawHeaders: ['Host', 'x'] }],
    ['no rawHeaders at all', { rawHeaders: undefined as unknown as string[] }],
    [
      'headersDistinct with an empty list',
      { headersDistinct: { authorization: [] }, rawHeaders: [] },
    ],
  ])('has no authorization with %s', (_l, req) => {
    expect(readNodeRequest(req).authorization).toBeUndefined();
  });

  it('reads no address without a socket, or a destroyed one', () => {
    expect(readNodeRequest({ rawHeaders: [], socket: null }).address).toBeUndefined();
    expect(readNodeRequest({ rawHeaders: [], socket: {} }).address).toBeUndefined();
  });
});

describe('readNodeRequest on a node:http server', () => {
  const seen: AuthRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push(readNodeRequest(req));
    res.end();
  });
  let port: number;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (headers: Record<string, string | string[]>) =>
    new Promise<AuthRequest>((resolve, reject) => {
      const before = seen.length;
      httpRequest({ port, host: '127.0.0.1', method: 'DELETE', headers }, (res) => {
        res.resume().on('end', () => resolve(seen[before] as AuthRequest));
      })
        .on('error', reject)
        .end();
    });

  it('passes two Authorization fields as two values, and the authenticator refuses them', async () => {
    const one = basic(KEY.appA, SECRET.appA);
    const request = await send({ Authorization: [one, one] });
    expect(request).toEqual({ authorization: [one, one], method: 'DELETE', address: '127.0.0.1' });
    const authenticator = createAuthenticator({ store: createMemoryStore(keysDocument()) });
    expectAuthError(
      await rejection(authenticator.authenticate(request)),
      refused.malformed('multiple_headers'),
    );
  });

  it('passes one field as a one-value list, which authenticates', async () => {
    const one = basic(KEY.appA, SECRET.appA);
    const request = await send({ authorization: one });
    expect(request.authorization).toEqual([one]);
    const authenticator = createAuthenticator({ store: createMemoryStore(keysDocument()) });
    await expect(authenticator.authenticate(request)).resolves.toMatchObject({ keyId: KEY.appA });
  });

  it('passes no authorization when there is none', async () => {
    expect((await send({})).authorization).toBeUndefined();
  });
});
