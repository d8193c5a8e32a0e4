/**
 * Checks the dashboard's options once, at set-up, and turns them into settings with their defaults:
 * the store (which must be writable), session timeouts and bounds, the sign-in limit (in the terms
 * of core's `createMemoryRateLimiter`), token lifetimes and the API base URL of the `curl` lines. A bad option is a `ConfigurationError` naming it.
 */
import {
  ConfigurationError,
  type KeysDocument,
  type MemoryRateLimiterOptions,
  type ServiceAccountEntry,
  type WritableKeyStore,
} from '@keyscope/core';
import type { DashboardOptions } from '../types.js';

/** The checked options. */
export interface Settings {
  readonly store: WritableKeyStore;
  readonly listServiceAccounts: (accountId: string) => Promise<readonly ServiceAccountEntry[]>;
  readonly idleTimeout: number;
  readonly absoluteTimeout: number;
  readonly maxSessions: number;
  readonly maxSessionsPerKey: number;
  readonly secureCookie: boolean;
  /** Core's limiter options for failed sign-ins. */
  readonly signInLimit: Required<
    Pick<
      MemoryRateLimiterOptions,
      'maxFailuresPerKeyAndAddress' | 'maxFailuresPerAddress' | 'windowMs'
    >
  >;
  /** The lifetimes a test token may have, in seconds, shortest first. */
  readonly tokenLifetimes: readonly number[];
  readonly apiBaseUrl: string | undefined;
}

const TOKEN_LIFETIMES = [300, 900, 1800, 3600];

/** Checks the options. */
export function readSettings(options: DashboardOptions): Settings {
  const store = checkStore(options?.store);
  const maxTokenLifetime = count(options.maxTokenLifetime, 3600, 'maxTokenLifetime');
  if (maxTokenLifetime > 3600) {
    throw new ConfigurationError('maxTokenLifetime must be at most 3600 seconds');
  }
  const apiBaseUrl = options.apiBaseUrl?.replace(/\/+$/, '');
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^\s'"<>\\]+$/.test(apiBaseUrl)) {
    throw new ConfigurationError('apiBaseUrl must be an http(s) URL');
  }
  if (
    options.listServiceAccounts !== undefined &&
    typeof options.listServiceAccounts !== 'function'
  ) {
    throw new ConfigurationError('listServiceAccounts must be a function');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigurationError('onEvent must be a function');
  }
  return {
    store,
    listServiceAccounts:
      options.listServiceAccounts ?? ((accountId) => serviceAccountsOf(store, accountId)),
    idleTimeout: duration(options.idleTimeout, 30 * 60_000, 'idleTimeout'),
    absoluteTimeout: duration(options.absoluteTimeout, 8 * 3_600_000, 'absoluteTimeout'),
    maxSessions: count(options.maxSessions, 10_000, 'maxSessions'),
    maxSessionsPerKey: count(options.maxSessionsPerKey, 10, 'maxSessionsPerKey'),
    secureCookie: options.secureCookie === true,
    signInLimit: signInLimit(options.signInLimit),
    tokenLifetimes: [...new Set([...TOKEN_LIFETIMES, maxTokenLifetime])]
      .filter((seconds) => seconds <= maxTokenLifetime)
      .sort((a, b) => a - b),
    apiBaseUrl,
  };
}

/** The service accounts of an account, from the keys document when the store has one. */
async function serviceAccountsOf(
  store: WritableKeyStore,
  accountId: string,
): Promise<readonly ServiceAccountEntry[]> {
  const withDocument = store as WritableKeyStore & {
    readonly document?: KeysDocument;
    reload?(): Promise<unknown>;
  };
  if (typeof withDocument.document === 'object' && withDocument.document !== null) {
    // Another process may have written the file a moment ago; a bad file keeps the last good copy.
    await withDocument.reload?.().catch(() => undefined);
    return (withDocument.document.serviceAccounts ?? []).filter(
      (svc) => svc.accountId === accountId,
    );
  }
  const keys = await store.listKeys({ entityType: 'serviceAccount' });
  const ids = new Set(
    keys.filter((key) => key.accountId === accountId).map((key) => key.entity.id),
  );
  return Promise.all(
    [...ids].map(async (id) => ({
      id,
      accountId,
      appIds: await store.appsFor({ type: 'serviceAccount', id }),
    })),
  );
}

function checkStore(store: unknown): WritableKeyStore {
  const candidate = store as Partial<WritableKeyStore> | undefined;
  const methods = [
    'findKey',
    'appsFor',
    'createKey',
    'revokeKey',
    'listKeys',
    'createServiceAccount',
    'grantApp',
  ] as const;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    methods.some((name) => typeof candidate[name] !== 'function') ||
    !(Number.isInteger(candidate.maxActiveKeysPerApp) && (candidate.maxActiveKeysPerApp ?? 0) > 0)
  ) {
    throw new ConfigurationError(
      'store must be a WritableKeyStore (openWritableFileStore, openPostgresStore...)',
    );
  }
  return candidate as WritableKeyStore;
}

function signInLimit(limit: DashboardOptions['signInLimit']): Settings['signInLimit'] {
  if (limit !== undefined && (typeof limit !== 'object' || limit === null)) {
    throw new ConfigurationError('signInLimit must be an object');
  }
  if (limit !== undefined && 'max' in limit) {
    // The old per-address count, which any successful sign-in reset (issue 18): say what replaced it.
    throw new ConfigurationError(
      'signInLimit.max was replaced by signInLimit.maxPerKeyAndAddress and signInLimit.maxPerAddress',
    );
  }
  return {
    maxFailuresPerKeyAndAddress: count(
      limit?.maxPerKeyAndAddress,
      10,
      'signInLimit.maxPerKeyAndAddress',
    ),
    maxFailuresPerAddress: count(limit?.maxPerAddress, 50, 'signInLimit.maxPerAddress'),
    windowMs: Math.ceil(duration(limit?.window, 15 * 60_000, 'signInLimit.window')),
  };
}

function duration(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new ConfigurationError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) {
    throw new ConfigurationError(`${name} must be a positive integer`);
  }
  return value;
}
