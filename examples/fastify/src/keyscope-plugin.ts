/**
 * A keyscope plugin for Fastify 5, written only against core's adapter kit. Registered with
 * `fastify-plugin` (so its decorators are visible to the whole app), it decorates the instance with
 * `keyscope.authenticate` and `keyscope.requireScope(scope)`, two route hooks for `preHandler`
 * (or `onRequest`): they put the caller's `AuthContext` on `request.auth`, or answer the refusal
 * exactly as the contract says (status, `WWW-Authenticate`, JSON body, `Content-Type` exactly
 * `application/json`) so the handler never runs.
 */
import {
  type AuthContext,
  type AuthenticateOptions,
  type Authenticator,
  authenticateRequest,
  createGuard,
  type GuardAccess,
  type GuardScope,
  isAuthError,
  type NamedResource,
  type RequireScopeOptions,
  readNodeRequest,
  resolveAuthenticator,
  toErrorResponse,
} from '@keyscope/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once a keyscope hook has authenticated it. */
    auth?: AuthContext;
  }
  interface FastifyInstance {
    /** Route hooks made by the keyscope plugin. */
    keyscope: KeyscopeHooks;
  }
}

/** A keyscope route hook, for `preHandler` or `onRequest`. */
export type KeyscopeHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * What the plugin decorates the instance with.
 *
 * @example
 * ```ts
 * app.get('/v2/apps/:appId', { preHandler: app.keyscope.requireScope('app') }, handler);
 * ```
 */
export interface KeyscopeHooks {
  /** The authenticator every hook uses. */
  readonly authenticator: Authenticator;
  /** Lets through any caller with a valid credential. */
  readonly authenticate: KeyscopeHook;
  /**
   * Lets through a caller allowed at `scope` on the route's `:appId`/`:userId`, or with `'any'`
   * valid credential.
   *
   * @throws {ConfigurationError} for an unknown scope.
   */
  requireScope(
    scope: GuardScope,
    options?: Pick<RequireScopeOptions<FastifyRequest>, 'appId' | 'userId'>,
  ): KeyscopeHook;
}

const access: GuardAccess<FastifyRequest> = {
  // Every raw Authorization value (rawHeaders under `inject`): a repeated field is refused (400).
  request: (request) => readNodeRequest(request.raw),
  resource: (request) => (request.params ?? {}) as NamedResource,
  // Rule 4: publish the caller the guard checked, over anything another plugin put there.
  setContext: (request, auth) => {
    request.auth = auth;
  },
};

function hook(check: (request: FastifyRequest) => Promise<unknown>): KeyscopeHook {
  return async function keyscopeHook(request, reply) {
    try {
      await check(request);
    } catch (error) {
      if (!isAuthError(error)) throw error;
      const { status, headers, body } = toErrorResponse(error);
      // A Buffer: Fastify would add `; charset=utf-8` to a string sent as JSON.
      return reply
        .code(status)
        .headers(headers)
        .send(Buffer.from(JSON.stringify(body)));
    }
  };
}

/**
 * The plugin. Options: an authenticator, or the options to create one (`store`, `realm`...), and
 * `optional` (let `authenticate` pass requests that carry no credentials).
 *
 * @throws {ConfigurationError} at registration when the options are invalid.
 * @example
 * ```ts
 * await app.register(keyscope, { authenticator });
 * app.get('/v2/whoami', { preHandler: app.keyscope.authenticate }, (request) => request.auth);
 * ```
 */
export const keyscope = fp<AuthenticateOptions>(
  async function keyscopePlugin(fastify, options) {
    const authenticator = resolveAuthenticator(options);
    const optional = options.optional === true;
    fastify.decorateRequest('auth', undefined);
    fastify.decorate('keyscope', {
      authenticator,
      authenticate: hook(async (request) => {
        const auth = await authenticateRequest(
          authenticator,
          request,
          access.request(request),
          optional,
        );
        request.auth = auth; // undefined too: nothing another plugin put there stays
      }),
      requireScope: (scope, guardOptions = {}) =>
        hook(createGuard(scope, access, { ...guardOptions, authenticator })),
    } satisfies KeyscopeHooks);
  },
  { name: 'keyscope', fastify: '5.x' },
);
