/**
 * The injection token of the authenticator `KeyscopeModule` provides, for routes that use the store
 * themselves (`listReachableApps(authenticator, auth)` for `GET /v2/apps`).
 */

/**
 * Injects the module's `Authenticator`.
 *
 * @example
 * ```ts
 * constructor(@Inject(KEYSCOPE_AUTHENTICATOR) private readonly authenticator: Authenticator) {}
 * ```
 */
export const KEYSCOPE_AUTHENTICATOR = Symbol('KEYSCOPE_AUTHENTICATOR');
