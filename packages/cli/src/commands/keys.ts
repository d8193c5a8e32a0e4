/**
 * The `keys` commands: create (prints the secret once), list (never prints secrets), revoke (keeps
 * the record), rotate (a replacement for the same entity and name; the old key stays valid until
 * it is revoked), delete, and reencrypt (PostgreSQL only: the master key rotation step).
 */
import {
  type CreatedKey,
  type Entity,
  type KeyInfo,
  KeyNotFoundError,
  type KeyState,
  type WritableKeyStore,
} from '@keyscope/core';
import { parseMasterKeys, reencryptSecrets } from '@keyscope/postgres';
import { type CommandContext, type CommandSpec, optional } from '../command.js';
import { UsageError } from '../errors.js';
import { entityText, instant, keyJson, safe, stateText, table } from '../format.js';
import { requireUrl } from '../store.js';
import { parseWhen } from '../time.js';

const ONCE_WARNING =
  'the secret is shown only this once; it cannot be shown again, so store it now';

const ENTITY_OPTIONS = {
  app: { type: 'string', value: '<appId>', description: 'an app' },
  account: { type: 'string', value: '<accountId>', description: 'a user account' },
  'service-account': {
    type: 'string',
    value: '<serviceAccountId>',
    description: 'a service account',
  },
} as const;

const ENTITY_TYPES = {
  app: 'app',
  account: 'userAccount',
  'service-account': 'serviceAccount',
} as const;

/** The entity named by --app, --account or --service-account (at most one). */
function entityOption(context: CommandContext): Entity | undefined {
  const named = (Object.keys(ENTITY_TYPES) as (keyof typeof ENTITY_TYPES)[]).filter(
    (name) => optional(context, name) !== undefined,
  );
  if (named.length > 1) {
    throw new UsageError(
      `${context.command.name} takes only one of --app, --account and --service-account`,
    );
  }
  const name = named[0];
  return name === undefined
    ? undefined
    : { type: ENTITY_TYPES[name], id: optional(context, name) as string };
}

/** The key with this id, without its secret. */
async function findInfo(store: WritableKeyStore, id: string): Promise<KeyInfo> {
  const key = (await store.listKeys()).find((candidate) => candidate.id === id);
  if (key === undefined) throw new KeyNotFoundError(id);
  return key;
}

function expiresOption(context: CommandContext): Date | undefined {
  const text = optional(context, 'expires');
  return text === undefined ? undefined : parseWhen(text, context.now, '--expires');
}

/** Human lines describing a new key, then its secret on a line of its own. */
function createdText(created: CreatedKey, heading: string): string {
  const { record } = created;
  const lines = [heading];
  if (record.displayName !== undefined) lines.push(`  name:    ${safe(record.displayName)}`);
  lines.push(`  expires: ${record.expiresAt ? instant(record.expiresAt) : 'never'}`);
  lines.push('', `Secret (${ONCE_WARNING}):`, created.secret);
  return lines.join('\n');
}

/** A note when a user-account key reaches no app yet (a typo in the account id, say). */
async function noteEmptyAccount(
  context: CommandContext,
  store: WritableKeyStore,
  entity: Entity,
): Promise<void> {
  if (entity.type === 'userAccount' && (await store.appsFor(entity)).length === 0) {
    context.note(`note: no app belongs to account ${safe(entity.id)} yet`);
  }
}

const createCommand: CommandSpec = {
  name: 'keys create',
  args: [],
  summary: 'Create a key for an app, a user account or a service account',
  details:
    'Prints the new key id and its secret once: the secret cannot be shown again. An app may have at most 10 active keys.',
  options: {
    ...ENTITY_OPTIONS,
    name: {
      type: 'string',
      value: '<text>',
      description: 'a name for people (at most 256 characters)',
    },
    expires: {
      type: 'string',
      value: '<when>',
      description:
        'expiry: an ISO date or instant (2030-01-01, 2030-01-01T12:00:00Z) or a duration (30d, 12h, 15m)',
    },
  },
  examples: [
    'keyscope keys create --app app_a --name "CI deploys" --expires 90d',
    'keyscope keys create --account acc_1 --json',
    'keyscope keys create --service-account svc_1 --expires 2030-01-01',
  ],
  json: '{ "key": <key>, "secret": "<secret>" }',
  async run(context) {
    const entity = entityOption(context);
    if (entity === undefined) {
      throw new UsageError('keys create needs one of --app, --account or --service-account');
    }
    const expiresAt = expiresOption(context);
    const store = await context.openStore();
    const created = await store.createKey({
      entity,
      displayName: optional(context, 'name'),
      expiresAt,
    });
    await noteEmptyAccount(context, store, entity);
    if (context.json) context.note(`warning: ${ONCE_WARNING}`);
    context.output(
      createdText(created, `Created key ${created.record.id} for ${entityText(entity)}.`),
      { key: keyJson(created.record, context.now), secret: created.secret },
    );
  },
};

const STATES: readonly KeyState[] = ['active', 'revoked', 'expired'];

const listCommand: CommandSpec = {
  name: 'keys list',
  args: [],
  summary: 'List keys (never their secrets)',
  details:
    "Shows each key's id, entity, name, creation, expiry and state. Secrets are never shown.",
  options: {
    ...ENTITY_OPTIONS,
    app: { ...ENTITY_OPTIONS.app, description: 'only the keys of this app' },
    account: { ...ENTITY_OPTIONS.account, description: 'only the keys of this user account' },
    'service-account': {
      ...ENTITY_OPTIONS['service-account'],
      description: 'only the keys of this service account',
    },
    state: {
      type: 'string',
      value: '<state>',
      description: 'only keys in this state: active, revoked or expired',
    },
  },
  examples: ['keyscope keys list', 'keyscope keys list --app app_a --state active --json'],
  json: '{ "keys": [<key>, ...] }',
  async run(context) {
    const entity = entityOption(context);
    const state = optional(context, 'state');
    if (state !== undefined && !STATES.includes(state as KeyState)) {
      throw new UsageError('--state must be active, revoked or expired');
    }
    const store = await context.openStore();
    const keys = await store.listKeys({ entity, state: state as KeyState | undefined });
    const rows = keys.map((key) => [
      key.id,
      entityText(key.entity),
      key.displayName === undefined ? '-' : safe(key.displayName),
      instant(key.createdAt),
      instant(key.expiresAt),
      stateText(key, context.now),
    ]);
    context.output(
      keys.length === 0
        ? 'No keys.'
        : table([['ID', 'ENTITY', 'NAME', 'CREATED', 'EXPIRES', 'STATE'], ...rows]),
      { keys: keys.map((key) => keyJson(key, context.now)) },
    );
  },
};

const keyIdArg = [{ name: 'keyId', description: 'the id of the key' }] as const;

const revokeCommand: CommandSpec = {
  name: 'keys revoke',
  args: keyIdArg,
  summary: 'Revoke a key (the record is kept)',
  details:
    "Sets the key's revokedAt; running servers refuse it within two seconds. With --at, the revocation is scheduled (a grace period after a rotation). A key already revoked earlier stays as it is.",
  options: {
    at: {
      type: 'string',
      value: '<when>',
      description: 'revoke later: an ISO date or instant, or a duration from now (24h)',
    },
  },
  examples: [
    'keyscope keys revoke app_65f0c1d2e3f4a5b6c7d8e9f0',
    'keyscope keys revoke app_65f0c1d2e3f4a5b6c7d8e9f0 --at 24h',
  ],
  json: '{ "key": <key> }',
  async run(context) {
    const at = optional(context, 'at');
    // Revoked as of the command's start, so that its state reads "revoked" at once.
    const when = at === undefined ? context.now : parseWhen(at, context.now, '--at');
    const store = await context.openStore();
    const key = await store.revokeKey(context.args[0] as string, when);
    const whenText = instant(key.revokedAt);
    context.output(
      keyJson(key, context.now).state === 'revoked'
        ? `Revoked key ${key.id} (${entityText(key.entity)}) at ${whenText}.`
        : `Key ${key.id} (${entityText(key.entity)}) will be revoked at ${whenText}.`,
      { key: keyJson(key, context.now) },
    );
  },
};

const rotateCommand: CommandSpec = {
  name: 'keys rotate',
  args: keyIdArg,
  summary: 'Create a replacement key; the old one stays valid until revoked',
  details:
    'Creates a new key for the same entity with the same name and prints its secret once (it cannot be shown again). The old key keeps working until you revoke it (keyscope keys revoke <old id>, with --at for a grace period).',
  options: {
    expires: createCommand.options.expires as (typeof createCommand.options)['expires'],
  },
  examples: ['keyscope keys rotate app_65f0c1d2e3f4a5b6c7d8e9f0 --expires 90d'],
  json: '{ "key": <new key>, "secret": "<secret>", "replaces": <old key> }',
  async run(context) {
    const expiresAt = expiresOption(context);
    const store = await context.openStore();
    const old = await findInfo(store, context.args[0] as string);
    const created = await store.createKey({
      entity: old.entity,
      displayName: old.displayName,
      expiresAt,
    });
    if (context.json) context.note(`warning: ${ONCE_WARNING}`);
    context.output(
      `${createdText(
        created,
        `Created key ${created.record.id} for ${entityText(old.entity)} to replace ${old.id}.`,
      )}\n\nThe old key ${old.id} stays valid until you revoke it: keyscope keys revoke ${old.id}`,
      {
        key: keyJson(created.record, context.now),
        secret: created.secret,
        replaces: keyJson(old, context.now),
      },
    );
  },
};

const deleteCommand: CommandSpec = {
  name: 'keys delete',
  args: keyIdArg,
  summary: 'Delete a key for good',
  details: "Removes the key's record. Prefer revoke, which keeps the record for audits.",
  options: {},
  examples: ['keyscope keys delete app_65f0c1d2e3f4a5b6c7d8e9f0'],
  json: '{ "deleted": <key> }',
  async run(context) {
    const store = await context.openStore();
    const key = await store.deleteKey(context.args[0] as string);
    context.output(`Deleted key ${key.id} (${entityText(key.entity)}).`, {
      deleted: keyJson(key, context.now),
    });
  },
};

const reencryptCommand: CommandSpec = {
  name: 'keys reencrypt',
  args: [],
  summary: 'Re-encrypt every secret of a PostgreSQL store under the current master key',
  details:
    'The middle step of a master key rotation: 1. put the new master key first in $KEYSCOPE_MASTER_KEY, the old one after it (k2:<new>,k1:<old>), everywhere; 2. run this; 3. when every secret is under the new key, remove the old one. It works in batches while the API serves traffic, and can be run again. It refuses to start if a secret is under a master key that $KEYSCOPE_MASTER_KEY does not list. A keys file holds no encrypted secret: --store only.',
  options: {},
  examples: [
    'KEYSCOPE_MASTER_KEY="k2:<new>,k1:<old>" keyscope keys reencrypt --store "$KEYSCOPE_STORE"',
  ],
  json: '{ "masterKeyId": "<current id>", "reencrypted": <count>, "byMasterKey": { "<id>": <count> } }',
  async run(context) {
    const url = requireUrl(context.target(), 'keys reencrypt');
    const result = await reencryptSecrets({
      connectionString: url,
      masterKeys: parseMasterKeys(context.env.KEYSCOPE_MASTER_KEY ?? ''),
    });
    const counts = Object.entries(result.byMasterKey)
      .map(([id, count]) => `${safe(id)}: ${count}`)
      .join(', ');
    context.output(
      `Re-encrypted ${result.reencrypted} secret${result.reencrypted === 1 ? '' : 's'} under master key ${safe(result.masterKeyId)}. Secrets by master key: ${counts === '' ? 'none' : counts}.`,
      {
        masterKeyId: result.masterKeyId,
        reencrypted: result.reencrypted,
        byMasterKey: result.byMasterKey,
      },
    );
  },
};

/** The `keys` commands. */
export const keysCommands: readonly CommandSpec[] = [
  createCommand,
  listCommand,
  revokeCommand,
  rotateCommand,
  deleteCommand,
  reencryptCommand,
];
