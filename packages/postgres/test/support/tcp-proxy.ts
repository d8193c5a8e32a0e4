/**
 * A TCP proxy in front of PostgreSQL that a test can cut and restore, to simulate a database
 * outage or a network partition without stopping the shared server: `pass` forwards, `refuse`
 * drops every connection (open ones at once, new ones on arrival), `blackhole` accepts new
 * connections and never answers (so only a connection timeout ends them).
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { PG_URL } from './pg.js';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface TcpProxy {
  readonly port: number;
  /** Sets the mode; leaving `pass` drops every open connection. */
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startProxy(): Promise<TcpProxy> {
  const target = new URL(PG_URL);
  const host = target.hostname || '127.0.0.1';
  const port = Number(target.port || 5432);
  let mode: ProxyMode = 'pass';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    if (mode === 'blackhole') return;
    const upstream = connect({ host, port });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    set(next) {
      mode = next;
      if (next !== 'pass') for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
