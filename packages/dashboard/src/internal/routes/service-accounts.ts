/**
 * The service-account routes, for user-account operators only (a service-account key answers 403
 * here): the page of the account's service accounts, creating one, granting it an app of the
 * account, and its key routes. A service account of another account answers 403, as one that does
 * not exist.
 */
import { EntityExistsError, EntityNotFoundError, InvalidArgumentError } from '@keyscope/core';
import type { Kit, SignedIn } from '../kit.js';
import { segment } from '../pages/frame.js';
import type { Owner } from '../pages/keys.js';
import { serviceAccountsPage } from '../pages/service-accounts.js';
import { Refusal } from '../refusal.js';
import { field } from '../request.js';
import { installKeyRoutes } from './keys.js';

/** The operator's account, if they signed in with a user-account key. */
function userAccountOnly(ex: SignedIn): string {
  const { entity, accountId } = ex.operator;
  if (entity.type !== 'userAccount' || accountId === undefined) {
    throw new Refusal(
      403,
      'For user accounts only',
      'Service accounts are managed with a user-account key; a service-account key cannot manage them.',
    );
  }
  return accountId;
}

/** Adds the service-account routes. */
export function installServiceAccounts(kit: Kit): void {
  const { router, form, store } = kit;
  const { listServiceAccounts } = kit.settings;

  async function render(ex: SignedIn): Promise<void> {
    const accountId = userAccountOnly(ex);
    const entries = await listServiceAccounts(accountId);
    const keys = await store.listKeys({ entityType: 'serviceAccount' });
    const page = serviceAccountsPage(ex.frame, {
      accountId,
      serviceAccounts: entries.map((entry) => ({
        id: entry.id,
        appIds: entry.appIds,
        keys: keys.filter((key) => key.entity.id === entry.id),
      })),
      apps: await ex.apps(),
      now: ex.now,
      values: ex.flash?.values,
    });
    kit.send(ex, 200, page);
  }

  /** Back to the page, which says once why the change was refused. */
  function refused(ex: SignedIn, error: string, values?: Record<string, string>): void {
    kit.flash(ex, { error, values });
    kit.redirect(ex, '/service-accounts');
  }

  async function serviceAccountOf(ex: SignedIn): Promise<Owner> {
    const accountId = userAccountOnly(ex);
    const id = String(ex.req.params.serviceAccountId);
    if (!(await listServiceAccounts(accountId)).some((svc) => svc.id === id)) {
      throw new Refusal(
        403,
        'Not one of your service accounts',
        'This service account does not belong to your account (or does not exist).',
      );
    }
    const backPath = `${ex.base}/service-accounts`;
    return { type: 'serviceAccount', id, path: `${backPath}/${segment(id)}`, backPath };
  }

  router.get(
    '/service-accounts',
    kit.signedIn((ex) => render(ex)),
  );

  router.post(
    '/service-accounts',
    form,
    kit.signedIn(
      async (ex) => {
        const accountId = userAccountOnly(ex);
        const id = field(ex.req, 'id')?.trim() ?? '';
        try {
          await store.createServiceAccount({ id, accountId });
        } catch (error) {
          if (error instanceof InvalidArgumentError || error instanceof EntityExistsError) {
            refused(ex, `No service account was created: ${error.message}`, {
              id: id.slice(0, 256),
            });
            return;
          }
          throw error;
        }
        kit.emit({
          action: 'service-account.created',
          operator: kit.publicOperator(ex.operator),
          serviceAccountId: id,
        });
        kit.flash(ex, {
          notice: `Service account ${id} created. Grant it an app, then create a key for it.`,
        });
        kit.redirect(ex, '/service-accounts');
      },
      { post: true },
    ),
  );

  router.post(
    '/service-accounts/:serviceAccountId/grants',
    form,
    kit.signedIn(
      async (ex) => {
        const owner = await serviceAccountOf(ex);
        const appId = field(ex.req, 'appId') ?? '';
        try {
          await ex.reach(appId);
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          refused(ex, `Nothing was granted: you can grant only the apps of your own account.`);
          return;
        }
        try {
          await store.grantApp(owner.id, appId);
        } catch (error) {
          if (error instanceof InvalidArgumentError || error instanceof EntityNotFoundError) {
            refused(ex, `Nothing was granted: ${error.message}`);
            return;
          }
          throw error;
        }
        kit.emit({
          action: 'service-account.granted',
          operator: kit.publicOperator(ex.operator),
          serviceAccountId: owner.id,
          appId,
        });
        kit.flash(ex, { notice: `Service account ${owner.id} now reaches app ${appId}.` });
        kit.redirect(ex, '/service-accounts');
      },
      { post: true },
    ),
  );

  installKeyRoutes(kit, '/service-accounts/:serviceAccountId', { ownerOf: serviceAccountOf });
}
