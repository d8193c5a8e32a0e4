/**
 * Types what the plugin decorates, by merging into Fastify's own interfaces (the extension points
 * Fastify 4 and 5 typings provide): `request.auth` on every request and `fastify.keyscope` on the
 * instance. Imported by the package's entry point, so it applies as soon as the package is.
 */
import type { AuthContext } from '@keyscope/core';
import type { KeyscopeSettings } from './plugin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who the caller is, set by the `authenticate()` and `requireScope()` hooks; `undefined` before
     * them, or after `authenticate({ optional: true })` on a request without credentials. keyscope
     * writes it and never reads it back: its hooks trust only their own record of the request.
     */
    auth?: AuthContext | undefined;
  }
  interface FastifyInstance {
    /** What the keyscope plugin registered: its authenticator and its `passErrors` default. */
    keyscope: KeyscopeSettings;
  }
}

/** The type of `request.auth` once keyscope has run. Exported so the augmentation ships in the .d.ts. */
export type RequestAuth = AuthContext | undefined;
