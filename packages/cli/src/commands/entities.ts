/**
 * The commands that shape who keys belong to: `apps add` (an app in an account),
 * `service-accounts create` and `service-accounts grant` (let a service account reach an app of
 * its own account).
 */
import type { CommandSpec } from '../command.js';
import { required } from '../command.js';
import { safe } from '../format.js';

const appsAdd: CommandSpec = {
  name: 'apps add',
  args: [{ name: 'appId', description: 'the id of the new app' }],
  summary: 'Add an app to an account',
  options: {
    account: {
      type: 'string',
      value: '<accountId>',
      description: 'the account that owns the app (required)',
    },
  },
  examples: ['keyscope apps add app_a --account acc_1'],
  json: '{ "app": { "id": "<appId>", "accountId": "<accountId>" } }',
  async run(context) {
    const accountId = required(context, 'account');
    const store = await context.openStore();
    const app = await store.addApp({ id: context.args[0] as string, accountId });
    context.output(`Added app ${safe(app.id)} to account ${safe(app.accountId)}.`, { app });
  },
};

const serviceAccountsCreate: CommandSpec = {
  name: 'service-accounts create',
  args: [{ name: 'id', description: 'the id of the new service account' }],
  summary: 'Create a service account in an account',
  details: 'The service account reaches no app until one is granted (service-accounts grant).',
  options: {
    account: {
      type: 'string',
      value: '<accountId>',
      description: 'the account it belongs to (required)',
    },
  },
  examples: ['keyscope service-accounts create svc_ci --account acc_1'],
  json: '{ "serviceAccount": { "id": "<id>", "accountId": "<accountId>", "appIds": [] } }',
  async run(context) {
    const accountId = required(context, 'account');
    const store = await context.openStore();
    const serviceAccount = await store.createServiceAccount({
      id: context.args[0] as string,
      accountId,
    });
    context.output(
      `Created service account ${safe(serviceAccount.id)} in account ${safe(serviceAccount.accountId)}.`,
      { serviceAccount },
    );
  },
};

const serviceAccountsGrant: CommandSpec = {
  name: 'service-accounts grant',
  args: [{ name: 'id', description: 'the id of the service account' }],
  summary: 'Let a service account reach an app of its account',
  details: 'Granting an app already granted changes nothing.',
  options: {
    app: { type: 'string', value: '<appId>', description: 'the app to grant (required)' },
  },
  examples: ['keyscope service-accounts grant svc_ci --app app_a'],
  json: '{ "serviceAccount": { "id": "<id>", "accountId": "<accountId>", "appIds": ["<appId>", ...] } }',
  async run(context) {
    const appId = required(context, 'app');
    const store = await context.openStore();
    const serviceAccount = await store.grantApp(context.args[0] as string, appId);
    context.output(
      `Service account ${safe(serviceAccount.id)} now reaches: ${serviceAccount.appIds.map(safe).join(', ')}.`,
      { serviceAccount },
    );
  },
};

/** The `apps` and `service-accounts` commands. */
export const entityCommands: readonly CommandSpec[] = [
  appsAdd,
  serviceAccountsCreate,
  serviceAccountsGrant,
];
