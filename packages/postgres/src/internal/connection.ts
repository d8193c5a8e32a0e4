/**
 * Connection settings shared by the store, the migrations and the re-encryption: the connection
 * string (with an optional `?schema=` parameter that keyscope reads and removes), the schema name
 * and its quoted form, timeouts, the application name, and how a driver error becomes a keyscope
 * `StoreError`. A connection string may hold a password, so it never appears in a message.
 */
import { ConfigurationError, LifecycleError, StoreIoError } from '@keyscope/core';
import type pg from 'pg';

/** The schema keyscope's tables live in unless told otherwise. */
export const DEFAULT_SCHEMA = 'keyscope';

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options every entry point takes to reach the database. */
export interface ConnectionOptions {
  /**
   * A `postgres://` or `postgresql://` URL (or anything `pg` accepts). A `schema` query parameter
   * names the schema, as the `schema` option does.
   */
  readonly connectionString: string;
  /** The schema of keyscope's tables: lowercase letters, digits and `_` (default `keyscope`). */
  readonly schema?: string | undefined;
  /** `application_name` of the connections (default `keyscope`), as `pg_stat_activity` shows it. */
  readonly applicationName?: string | undefined;
  /** How long opening a connection may take, in ms (default 5000). */
  readonly connectionTimeout?: number | undefined;
  /** Server-side `statement_timeout` of every statement, in ms (default 5000). */
  readonly statementTimeout?: number | undefined;
  /** TLS settings, passed to `pg` as its `ssl` option. */
  readonly ssl?: pg.ClientConfig['ssl'];
}

/** Settings resolved from {@link ConnectionOptions}. */
export interface Connection {
  readonly schema: string;
  /** `"schema"`, ready for SQL. */
  readonly qualified: string;
  readonly applicationName: string;
  readonly statementTimeout: number;
  readonly connectionTimeout: number;
  /** The `pg` client settings (without pool settings). */
  readonly client: pg.ClientConfig;
}

/**
 * Resolves and checks connection options.
 *
 * @throws {ConfigurationError} a missing connection string, a bad schema name or timeout.
 */
export function resolveConnection(options: ConnectionOptions, source: string): Connection {
  const text = options?.connectionString;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConfigurationError(`${source}: a connection string (postgres://...) is required`);
  }
  let connectionString = text.trim();
  let fromUrl: string | undefined;
  if (/^postgres(ql)?:\/\//i.test(connectionString)) {
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch {
      throw new ConfigurationError(`${source}: the connection string is not a valid URL`);
    }
    const named = url.searchParams.get('schema');
    if (named !== null) {
      fromUrl = named;
      url.searchParams.delete('schema');
      connectionString = url.toString();
    }
  }
  if (
    fromUrl !== undefined &&
    options.schema !== undefined &&
    options.schema !== null &&
    fromUrl !== options.schema
  ) {
    throw new ConfigurationError(
      `${source}: the schema option and the connection string's ?schema= disagree`,
    );
  }
  const schema = options.schema ?? fromUrl ?? DEFAULT_SCHEMA;
  if (typeof schema !== 'string' || !SCHEMA.test(schema)) {
    throw new ConfigurationError(
      `${source}: the schema must be 1 to 63 lowercase letters, digits or "_", starting with a letter or "_"`,
    );
  }
  const applicationName = options.applicationName ?? 'keyscope';
  if (typeof applicationName !== 'string' || applicationName.length > 48) {
    throw new ConfigurationError(`${source}: applicationName must be at most 48 characters`);
  }
  const statementTimeout = milliseconds(options.statementTimeout, 5000, 'statementTimeout', source);
  const connectionTimeout = milliseconds(
    options.connectionTimeout,
    5000,
    'connectionTimeout',
    source,
  );
  return {
    schema,
    qualified: `"${schema}"`,
    applicationName,
    statementTimeout,
    connectionTimeout,
    client: {
      connectionString,
      application_name: applicationName,
      connectionTimeoutMillis: connectionTimeout,
      statement_timeout: statementTimeout,
      // A client-side bound too, for a connection that died without a word (no RST).
      query_timeout: statementTimeout + Math.min(statementTimeout, 2000),
      keepAlive: true,
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    },
  };
}

/** A positive number of milliseconds, or the default. */
export function milliseconds(
  value: number | undefined,
  fallback: number,
  name: string,
  source: string,
): number {
  const ms = value ?? fallback;
  if (!(Number.isFinite(ms) && ms > 0 && ms <= 2_147_483_647)) {
    throw new ConfigurationError(`${source}: ${name} must be a positive number of milliseconds`);
  }
  return Math.ceil(ms);
}

/** What went wrong with the database, in words (a driver code and message, never a credential). */
export function describeDatabaseError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === '42P01' || code === '3F000') {
    return `${message} (${code}); the schema is not migrated: run \`keyscope migrate --store <url>\``;
  }
  if (code === '57014') return `${message} (${code}): statement_timeout reached`;
  return code === undefined ? message : `${message} (${code})`;
}

/**
 * A `LifecycleError` as it is; anything else (the driver's errors) as a `StoreIoError` with the
 * original as `cause`.
 */
export function toStoreError(error: unknown, doing: string): Error {
  if (error instanceof LifecycleError) return error;
  return new StoreIoError(
    `PostgreSQL key store: cannot ${doing}: ${describeDatabaseError(error)}`,
    { cause: error },
  );
}

/** `text` as a SQL identifier. */
export function quoteIdent(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
