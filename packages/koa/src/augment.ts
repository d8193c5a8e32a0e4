/**
 * Types `ctx.state.auth` for every Koa context, by augmenting Koa's `DefaultState` interface (the
 * extension point `@types/koa` provides for Koa 2 and 3). Imported by the package's entry point,
 * so it applies as soon as the package is.
 */
import type { AuthContext } from '@keyscope/core';

declare module 'koa' {
  interface DefaultState {
    /**
     * Who the caller is, set by `authenticate()` or `requireScope()`; `undefined` before them,
     * or after `authenticate({ optional: true })` on a request without credentials. keyscope
     * writes it and never reads it back: its guards trust only their own record of the request.
     */
    auth?: AuthContext | undefined;
  }
}

/** The type of `ctx.state.auth` once keyscope has run. Exported so the augmentation ships in the .d.ts. */
export type StateAuth = AuthContext | undefined;
