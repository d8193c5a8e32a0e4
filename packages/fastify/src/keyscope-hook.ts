/**
 * The type of the hooks `authenticate()` and `requireScope()` return: an async Fastify hook that
 * fits `preHandler` and `onRequest`, as a route option or with `addHook`, on Fastify 4 and 5.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A keyscope route hook: for `preHandler` (or `onRequest`), as a route option or with `addHook`.
 *
 * @example
 * ```ts
 * const hook: KeyscopeHook = requireScope('app');
 * ```
 */
export type KeyscopeHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
