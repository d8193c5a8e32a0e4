/**
 * `applyServerTimeouts` on a real `http.Server`, driven by raw sockets: a connection that sends
 * nothing, one that drips its headers (slowloris) and an idle keep-alive connection are each
 * closed by the server, the first two with `408 Request Timeout`, instead of being held for Node's
 * minute and more. The timeouts are small here; the bound checked is generous (10 s), never tight.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyServerTimeouts, holdConnection } from '../src/index.js';

let server: Server;
let url: string;

beforeEach(async () => {
  server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json').end('{"ok":true}');
  });
  applyServerTimeouts(server, {
    headersTimeout: 300,
    requestTimeout: 1000,
    keepAliveTimeout: 300,
    connectionsCheckingInterval: 300,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('applyServerTimeouts', () => {
  it('sets the timeouts on the server', () => {
    expect(server.headersTimeout).toBe(300);
    expect(server.requestTimeout).toBe(1000);
    expect(server.keepAliveTimeout).toBe(300);
  });

  it('closes a connection that drips its headers, with 408', async () => {
    const closed = await holdConnection(url, 'slow-headers', { dripMs: 50, giveUpMs: 10_000 });
    expect(closed.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes a connection that sends nothing, with 408', async () => {
    const closed = await holdConnection(url, 'idle', { giveUpMs: 10_000 });
    expect(closed.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const closed = await holdConnection(url, 'keep-alive', { giveUpMs: 10_000 });
    expect(closed.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
