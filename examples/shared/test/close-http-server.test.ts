/**
 * `closeHttpServer` on a real `http.Server` with a long keep-alive timeout, so that only the close
 * itself can end a connection: an idle keep-alive connection is closed at once; a request in
 * flight is answered and its connection closed after the answer (Node's `server.close()` alone
 * keeps it open); a request sent on that connection while the server drains is answered with
 * `Connection: close`; and the promise resolves once every connection is gone.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeHttpServer } from '../src/index.js';

let server: Server;
let port: number;
let release: () => void;
/** Resolves when the server has received a request for each path. */
let arrived: Record<'/slow' | '/fast', Promise<void>>;

beforeEach(async () => {
  const signal: Record<string, () => void> = {};
  arrived = {
    '/slow': new Promise((resolve) => {
      signal['/slow'] = resolve;
    }),
    '/fast': new Promise((resolve) => {
      signal['/fast'] = resolve;
    }),
  };
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  server = createServer((req, res) => {
    signal[req.url ?? '']?.();
    if (req.url === '/slow') void released.then(() => res.end('slow'));
    else res.end('fast');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  release();
  server.closeAllConnections();
  server.close();
});

/** A raw connection that collects what it receives and resolves `closed` when the server ends it. */
function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
  });
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;
const answers = (text: string) => text.split(/(?=HTTP\/1\.1 )/).filter((part) => part !== '');

describe('closeHttpServer', () => {
  it('closes an idle keep-alive connection at once', async () => {
    const client = await open();
    client.socket.write(get('/fast'));
    await new Promise<void>((resolve) => client.socket.once('data', () => resolve()));
    expect(client.received()).toMatch(/Connection: keep-alive/);
    await closeHttpServer(server);
    await client.closed;
    expect(server.listening).toBe(false);
  });

  it('answers the request in flight, then one sent on its connection while draining, with Connection: close', async () => {
    const client = await open();
    client.socket.write(get('/slow'));
    await arrived['/slow'];
    let done = false;
    const closing = closeHttpServer(server).then(() => {
      done = true;
    });
    expect(server.listening).toBe(false);
    client.socket.write(get('/fast')); // pipelined behind the one in flight
    await arrived['/fast'];
    expect(done).toBe(false);
    release();
    await client.closed;
    await closing;
    const [slow, fast] = answers(client.received());
    expect(slow).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nslow$/);
    expect(fast).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n[\s\S]*\r\n\r\nfast$/);
  });

  it('closes the connection of a request in flight after its answer', async () => {
    const client = await open();
    client.socket.write(get('/slow'));
    await arrived['/slow'];
    const closing = closeHttpServer(server);
    release();
    await client.closed;
    await closing;
    expect(answers(client.received())).toEqual([expect.stringMatching(/\r\n\r\nslow$/)]);
  });

  it('resolves at once for a server that is not listening', async () => {
    const idle = createServer();
    await closeHttpServer(idle);
    expect(idle.listening).toBe(false);
  });
});
