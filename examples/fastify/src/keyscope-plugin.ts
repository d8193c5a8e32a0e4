/**
 * A keyscope plugin for Fastify 5, written only against core's adapter kit. Registered with
 * `fastify-plugin` (so its decorators are visible to the whole app), it decorates the instance with
 * `keyscope.authenticate` and `keyscope.requireScope(scope)`, two route hooks for `preHandler`
 * (or `onRequest`): they put the caller's `AuthContext` on `request.auth`, or answer the refusal
 * exactly as the contract says (status, `WWW-Authenticate`, JSON body) so the handler never runs.
 */
import {
  type AuthContext,
  AuthError,
  type AuthenticateOptions,
  type Authenticator,
  type AuthRequest,
  authenticateRequest,
  createGuard,
  type GuardAccess,
  type RequireScopeOptions,
  resolveAuthenticator,
  type Scope,
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
   * Lets through a caller allowed at `scope` on the route's `:appId`/`:userId`.
   *
   * @throws {ConfigurationError} for an unknown scope.
   */
  requireScope(
    scope: Scope,
    options?: Pick<RequireScopeOptions<FastifyRequest>, 'appId' | 'userId'>,
  ): KeyscopeHook;
}

/** Every raw `Authorization` value, so that a repeated header is refused (400), never ignored. */
function toAuthRequest({ raw, method }: FastifyRequest): AuthRequest {
  const values =
    raw.headersDistinct?.authorization ??
    raw.rawHeaders.filter(
      (_, i, all) => i % 2 === 1 && all[i - 1]?.toLowerCase() === 'authorization',
    );
  return { authorization: values, method };
}

const access: GuardAccess<FastifyRequest> = {
  request: toAuthRequest,
  getContext: (request) => request.auth,
  setContext: (request, auth) => {
    request.auth = auth;
  },
  resource: (request) => {
    const params = request.params as { appId?: string; userId?: string } | undefined;
    return { appId: params?.appId, userId: params?.userId };
  },
};

function hook(check: (request: FastifyRequest) => Promise<unknown>): KeyscopeHook {
  return async function keyscopeHook(request, reply) {
    try {
      await check(request);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const { status, headers, body } = toErrorResponse(error);
      return reply
        .code(status)
        .headers(headers)
        .type('application/json')
        .send(JSON.stringify(body));
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
        request.auth = await authenticateRequest(
          authenticator,
          request,
          toAuthRequest(request),
          optional,
        );
      }),
      requireScope: (scope, guardOptions = {}) =>
        hook(createGuard(scope, access, { ...guardOptions, authenticator })),
    } satisfies KeyscopeHooks);
  },
  { name: 'keyscope', fastify: '5.x' },
);
