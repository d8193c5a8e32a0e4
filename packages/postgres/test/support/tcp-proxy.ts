/**
 * A TCP proxy in front of PostgreSQL that a test can cut and restore, to simulate a database
 * outage or a network partition without stopping the shared server: `pass` forwards, `refuse`
 * drops every connection (open ones at once, new ones on arrival), `blackhole` accepts new
 * connections and never answers (so only a connection timeout ends them), `freeze` keeps open
 * connections open but silently drops what they carry (a connection that died without a word).
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { PG_URL } from './pg.js';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole' | 'freeze';

export interface TcpProxy {
  readonly port: number;
  /** Sets the mode; `refuse` and `blackhole` drop every open connection. */
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
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (mode === 'pass') to.write(chunk);
    });
    from.on('close', () => to.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    if (mode !== 'pass') return; // blackhole, freeze: accepted, never answered
    const upstream = connect({ host, port });
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    set(next) {
      mode = next;
      if (next === 'refuse' || next === 'blackhole') for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
