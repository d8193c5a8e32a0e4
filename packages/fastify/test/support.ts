/**
 * Test support: the Fastify majors under test, a fixture drawn once per file, and an app with the
 * plugin registered and two probed routes (`/me` behind `authenticate()`, `/v2/apps/:appId` behind
 * `requireScope('app')`), driven with `inject`.
 */
import {
  authenticate,
  type FastifyAuthenticateOptions,
  type KeyscopePluginOptions,
  keyscope,
  requireScope,
} from '@keyscope/fastify';
import { basic, createFixture, createProbe } from '@keyscope/test-kit';
import fastify, { type FastifyInstance } from 'fastify';
import fastify4 from 'fastify4';

/** Fastify 5 and Fastify 4, for `describe.each`. */
export const MAJORS = [
  ['Fastify 5', fastify],
  ['Fastify 4', fastify4],
] as const;

export const fixture = createFixture();
export const { keys } = fixture;
export const appKey = basic(keys.appA.id, keys.appA.secret);

/**
 * An app with the plugin and two probed routes.
 *
 * @example
 * ```ts
 * const { app, probe } = await probedApp(fastify, { store: fixture.createStore() });
 * ```
 */
export async function probedApp(
  framework: typeof fastify,
  options: KeyscopePluginOptions,
  me: FastifyAuthenticateOptions = {},
): Promise<{ app: FastifyInstance; probe: ReturnType<typeof createProbe> }> {
  const app = framework();
  const probe = createProbe();
  await app.register(keyscope, options);
  app.get('/me', { preHandler: authenticate(me) }, async (request) => {
    probe.ran('me');
    return { keyId: request.auth?.keyId ?? null };
  });
  app.get('/v2/apps/:appId', { preHandler: requireScope('app') }, async (request) => {
    probe.ran('app');
    return { keyId: request.auth?.keyId ?? null };
  });
  return { app, probe };
}
