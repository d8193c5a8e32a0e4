/**
 * `keyscope`: the Fastify plugin. It checks its options once, when the app loads, and decorates
 * the instance with `fastify.keyscope` (the authenticator the hooks use) and every request with
 * `request.auth`. Wrapped with `fastify-plugin`, so the decorators belong to the context that
 * registers it and every context below it, not to a new encapsulated child.
 */
import {
  type Authenticator,
  type AuthenticatorOptions,
  resolveAuthenticator,
} from '@keyscope/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * What the plugin decorates the instance with (`fastify.keyscope`).
 *
 * @example
 * ```ts
 * const apps = await listReachableApps(app.keyscope.authenticator, request.auth);
 * ```
 */
export interface KeyscopeSettings {
  /** The authenticator every hook of this context uses. */
  readonly authenticator: Authenticator;
  /** Whether hooks hand refusals to Fastify's error handler (a hook's own option wins). */
  readonly passErrors: boolean;
}

/**
 * Options of the {@link keyscope} plugin: an `authenticator` (or the options to create one:
 * `store`, `realm`, ...) and `passErrors`.
 *
 * @example
 * ```ts
 * const options: KeyscopePluginOptions = { store, passErrors: true };
 * ```
 */
export type KeyscopePluginOptions = (
  | AuthenticatorOptions
  | { readonly authenticator: Authenticator }
) & {
  /**
   * Hand refusals to Fastify's error handler (default `false`: the hooks answer them). The
   * `AuthError` carries `status` and `headers` (its `WWW-Authenticate`), which Fastify's default
   * handler answers with, and `toBody()` for a handler of your own.
   */
  readonly passErrors?: boolean;
};

async function keyscopePlugin(
  fastify: FastifyInstance,
  options: KeyscopePluginOptions,
): Promise<void> {
  const settings: KeyscopeSettings = {
    authenticator: resolveAuthenticator(options),
    passErrors: options.passErrors === true,
  };
  fastify.decorate('keyscope', settings);
  fastify.decorateRequest('auth', undefined);
}

/**
 * The Fastify plugin (Fastify 4 and 5). Register it once, at the root or in the encapsulated
 * context whose routes it guards; then put `requireScope(scope)` or `authenticate()` in a route's
 * `preHandler` (or `onRequest`).
 *
 * @throws {ConfigurationError} when the app loads (`ready()`, `listen()`), if the options are invalid.
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { keyscope, openFileStore, requireScope } from '@keyscope/fastify';
 *
 * const app = Fastify();
 * await app.register(keyscope, { store: await openFileStore('keys.json') });
 * app.get('/v2/apps/:appId', { preHandler: requireScope('app') }, async (request) => ({
 *   keyId: request.auth?.keyId,
 * }));
 * ```
 */
export const keyscope = fp(keyscopePlugin, { name: '@keyscope/fastify', fastify: '4.x || 5.x' });
