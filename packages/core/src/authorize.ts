/**
 * Authorization (contract section 3): does an authenticated caller reach a resource at a required
 * scope? Scopes nest (appUser < app < account); the level is checked first, then the resource: an
 * app key reaches only its app, an appUser token only its own user of its own app, an account key
 * the apps the store says it may reach. A resource that does not exist is refused like one that is
 * not allowed.
 */
import { createRefusals, type Refusals } from './challenge.js';
import type { AuthContext, KeyStore, Resource, Scope } from './types.js';

const RANK: Readonly<Record<Scope, number>> = { appUser: 0, app: 1, account: 2 };

/**
 * Whether `value` is one of the three scopes.
 *
 * @example
 * ```ts
 * isScope('app'); // true
 * isScope('admin'); // false
 * ```
 */
export function isScope(value: unknown): value is Scope {
  return value === 'appUser' || value === 'app' || value === 'account';
}

/** Options of {@link authorize}. */
export interface AuthorizeOptions {
  /** The store that says which apps an account may reach. */
  readonly store: KeyStore;
  /** Realm of the `WWW-Authenticate` challenge on refusal (default `keyscope`). */
  readonly realm?: string;
  /** Prepared refusals; take precedence over `realm`. */
  readonly refusals?: Refusals;
}

/**
 * Allows or refuses `context` on `resource` at `requiredScope`. Resolves when allowed.
 *
 * Rules: a caller below the required scope is refused, even on its own resources. A route that
 * requires `app` or `appUser` must name an app (`resource.appId`), else the guard refuses (fail
 * closed: a misnamed route parameter never opens a route). An `appUser` caller must also find its
 * own user in `resource.userId`.
 *
 * @throws {ForbiddenError} 403, with `error="insufficient_scope"` for Bearer callers.
 * @throws {StoreUnavailableError} 503 when the store cannot say which apps an account reaches.
 * @example
 * ```ts
 * await authorize(auth, 'app', { appId: 'app_a' }, { store });
 * ```
 */
export async function authorize(
  context: AuthContext,
  requiredScope: Scope,
  resource: Resource,
  options: AuthorizeOptions,
): Promise<void> {
  const refuse = options.refusals ?? createRefusals(options.realm);
  const deny = (reason: 'insufficient_scope' | 'resource_not_allowed' | 'missing_resource') =>
    refuse.forbidden(requiredScope, context.method, reason, { keyId: context.keyId });

  if (!isScope(requiredScope)) throw new TypeError('requiredScope must be appUser, app or account');
  if (!isScope(context.scope) || RANK[context.scope] < RANK[requiredScope]) {
    throw deny('insufficient_scope');
  }
  const { appId, userId } = resource;
  if (appId === undefined || appId === null) {
    if (requiredScope !== 'account') throw deny('missing_resource');
    if (userId !== undefined && userId !== null) throw deny('missing_resource');
    return;
  }
  if (typeof appId !== 'string') throw deny('resource_not_allowed');

  if (context.scope === 'account') {
    let apps: readonly string[];
    try {
      apps = await options.store.appsFor(context.entity);
    } catch (cause) {
      throw refuse.unavailable(context.method, { keyId: context.keyId, cause });
    }
    if (!Array.isArray(apps)) {
      throw refuse.unavailable(context.method, {
        keyId: context.keyId,
        cause: new TypeError('store returned a malformed app list'),
      });
    }
    if (!apps.includes(appId)) throw deny('resource_not_allowed');
    return;
  }
  if (context.appId !== appId) throw deny('resource_not_allowed');
  if (context.scope === 'appUser') {
    if (userId === undefined || userId === null) throw deny('missing_resource');
    if (context.userId !== userId) throw deny('resource_not_allowed');
  }
}
