/**
 * Lists the apps an authenticated caller may see, for routes such as `GET /v2/apps` that read the
 * store themselves. A store that cannot answer (it rejects, or answers something that is not a
 * list of ids) becomes the same 503 `StoreUnavailableError` a guard would answer: never a 500, and
 * never an empty list that passes for an answer.
 */
import type { Authenticator } from './authenticate.js';
import { StoreUnavailableError } from './errors.js';
import type { AuthContext } from './types.js';

/**
 * The ids of every app `context` may reach (contract section 1): an app key its own app, a user
 * account the apps of its account, a service account the apps it was granted.
 *
 * @throws {StoreUnavailableError} (as a rejection) 503 when the store cannot answer.
 * @example
 * ```ts
 * app.get('/v2/apps', requireScope('account'), async (req, res, next) => {
 *   const ids = await listReachableApps(authenticator, req.auth).catch(next);
 *   if (ids) res.json({ apps: ids.map((id) => ({ id })) });
 * });
 * ```
 */
export async function listReachableApps(
  source: Pick<Authenticator, 'store'>,
  context: AuthContext,
): Promise<readonly string[]> {
  const { method, keyId } = context;
  let apps: unknown;
  try {
    apps = await source.store.appsFor(context.entity);
  } catch (cause) {
    throw new StoreUnavailableError({ reason: 'store_unavailable', method, keyId, cause });
  }
  if (!Array.isArray(apps) || !apps.every((id) => typeof id === 'string')) {
    const cause = new TypeError('store returned a malformed app list');
    throw new StoreUnavailableError({ reason: 'store_unavailable', method, keyId, cause });
  }
  return apps;
}
