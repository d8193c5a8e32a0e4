/**
 * `createRevocationListener`: one dedicated PostgreSQL connection that `LISTEN`s on the channel the
 * store's writes `NOTIFY` (default `keyscope_keys`, the payload being a key id or an entity id),
 * and hands every id to `onInvalidate`. When the connection drops (a restart, a failover,
 * `pg_terminate_backend`, a network cut) it reconnects by itself with exponential backoff and
 * jitter; each successful (re)connection calls `onResync`, because notifications sent while it
 * was away are lost: the store clears its whole cache there. A periodic ping notices a connection
 * that died silently. The listener never throws at its user: failures become events.
 */
import { ConfigurationError } from '@keyscope/core';
import pg from 'pg';
import {
  type ConnectionOptions,
  milliseconds,
  quoteIdent,
  resolveConnection,
} from './internal/connection.js';

/** The channel keyscope's writes notify and its stores listen on, by default. */
export const DEFAULT_CHANNEL = 'keyscope_keys';

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * What the listener reports: connected (`reconnect` is false the first time), disconnected (with
 * the error, if there was one), or a failed attempt to connect (`retryIn` ms later).
 *
 * @example
 * ```ts
 * const onEvent = (event: RevocationListenerEvent) => console.warn(event.type);
 * ```
 */
export type RevocationListenerEvent =
  | { readonly type: 'listener-connected'; readonly reconnect: boolean }
  | { readonly type: 'listener-disconnected'; readonly error?: Error | undefined }
  | { readonly type: 'listener-error'; readonly error: Error; readonly retryIn: number };

/** Options of {@link createRevocationListener}. */
export interface RevocationListenerOptions extends ConnectionOptions {
  /** The channel: lowercase letters, digits and `_` (default `keyscope_keys`). */
  readonly channel?: string | undefined;
  /** Called with the payload of every notification: a key id or an entity id to forget. */
  readonly onInvalidate: (id: string) => void;
  /** Called after every successful (re)connection: forget everything, some ids may have been missed. */
  readonly onResync?: (() => void) | undefined;
  /** Connection events, for logs and health checks. Errors thrown by it are ignored. */
  readonly onEvent?: ((event: RevocationListenerEvent) => void) | undefined;
  /** The first and the longest wait between reconnection attempts, in ms (default 100 and 5000). */
  readonly reconnectDelay?: { readonly min?: number; readonly max?: number } | undefined;
  /** How often the connection is pinged to notice a silent death, in ms (default 10000). */
  readonly pingInterval?: number | undefined;
}

/**
 * A running listener.
 *
 * @example
 * ```ts
 * if (!listener.connected) console.warn('revocations fall back to the cache ttl');
 * ```
 */
export interface RevocationListener {
  /** Whether it is listening now. */
  readonly connected: boolean;
  /** The channel it listens on. */
  readonly channel: string;
  /**
   * Connects for the first time. Resolves `true` once listening, or `false` if that attempt failed
   * (it keeps retrying in the background). Never rejects.
   */
  start(): Promise<boolean>;
  /** Stops listening and retrying. */
  close(): Promise<void>;
}

/**
 * Creates a listener (not yet connected: call `start()`).
 *
 * @throws {ConfigurationError} bad options (no connection string, a bad channel name or delay).
 * @example
 * ```ts
 * import { createCachedStore } from '@keyscope/core';
 * import { createRevocationListener } from '@keyscope/postgres';
 *
 * const cached = createCachedStore(someStore, { ttl: 30_000 });
 * const listener = createRevocationListener({
 *   connectionString: process.env.KEYSCOPE_STORE!,
 *   onInvalidate: (id) => cached.invalidate(id),
 *   onResync: () => cached.clear(),
 * });
 * await listener.start();
 * ```
 */
export function createRevocationListener(options: RevocationListenerOptions): RevocationListener {
  const connection = resolveConnection(options, 'createRevocationListener');
  const channel = options.channel ?? DEFAULT_CHANNEL;
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new ConfigurationError(
      'createRevocationListener: channel must be 1 to 63 lowercase letters, digits or "_", starting with a letter or "_"',
    );
  }
  if (typeof options.onInvalidate !== 'function') {
    throw new ConfigurationError('createRevocationListener: onInvalidate must be a function');
  }
  const source = 'createRevocationListener';
  const minDelay = milliseconds(options.reconnectDelay?.min, 100, 'reconnectDelay.min', source);
  const maxDelay = milliseconds(options.reconnectDelay?.max, 5000, 'reconnectDelay.max', source);
  if (maxDelay < minDelay) {
    throw new ConfigurationError(
      `${source}: reconnectDelay.max must not be below reconnectDelay.min`,
    );
  }
  const pingInterval = milliseconds(options.pingInterval, 10_000, 'pingInterval', source);
  const { onInvalidate, onResync, onEvent } = options;

  let closed = false;
  let current: pg.Client | undefined;
  let everConnected = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;
  let pinging = false;

  const emit = (event: RevocationListenerEvent) => {
    try {
      onEvent?.(event);
    } catch {
      // A failing hook changes nothing.
    }
  };

  // Started by start(): a listener never started holds no timer and no connection.
  let ping: NodeJS.Timeout | undefined;
  function startPinging(): void {
    ping ??= setInterval(() => {
      const client = current;
      if (client === undefined || pinging) return;
      pinging = true;
      client
        .query('SELECT 1')
        .catch((error: Error) => drop(client, error))
        .finally(() => {
          pinging = false;
        });
    }, pingInterval);
    ping.unref();
  }

  function drop(client: pg.Client, error?: Error): void {
    if (client !== current) return;
    current = undefined;
    client.end().catch(() => undefined);
    emit({ type: 'listener-disconnected', error });
    schedule();
  }

  function schedule(): number {
    if (closed || retry !== undefined) return 0;
    const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
    attempt++;
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
    return delay;
  }

  async function connect(): Promise<boolean> {
    if (closed || current !== undefined) return current !== undefined;
    const client = new pg.Client({
      ...connection.client,
      application_name: `${connection.applicationName}:listener`,
    });
    client.on('error', (error) => drop(client, error));
    client.on('end', () => drop(client));
    client.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      try {
        onInvalidate(message.payload);
      } catch {
        // The store's invalidation does not throw; a user's hook may, and changes nothing here.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (cause) {
      client.end().catch(() => undefined);
      if (closed) return false;
      const error = cause instanceof Error ? cause : new Error(String(cause));
      const retryIn = schedule();
      emit({ type: 'listener-error', error, retryIn });
      return false;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return false;
    }
    current = client;
    attempt = 0;
    const reconnect = everConnected;
    everConnected = true;
    try {
      onResync?.();
    } catch {
      // As above.
    }
    emit({ type: 'listener-connected', reconnect });
    return true;
  }

  return {
    channel,
    get connected() {
      return current !== undefined;
    },
    start() {
      if (closed) return Promise.resolve(false);
      startPinging();
      return connect();
    },
    async close() {
      closed = true;
      if (ping !== undefined) clearInterval(ping);
      if (retry !== undefined) clearTimeout(retry);
      retry = undefined;
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
