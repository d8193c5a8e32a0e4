/**
 * The commands that print credentials for a key, for scripts and for trying an API by hand:
 * `token sign` (a JWT from core's `signToken`, refused as the verifier would refuse it) and
 * `header basic` (the `Authorization: Basic` value from core's `basicAuthorization`). They read
 * the key's secret from the store and print only the token or the header value.
 */
import {
  basicAuthorization,
  KeyNotFoundError,
  type KeyRecord,
  type Scope,
  signToken,
} from '@keyscope/core';
import { type CommandContext, type CommandSpec, optional, required } from '../command.js';
import { parseLifetime } from '../time.js';

async function findKey(context: CommandContext): Promise<KeyRecord> {
  const id = required(context, 'key');
  const store = await context.openStore();
  const key = await store.findKey(id);
  if (key === undefined) throw new KeyNotFoundError(id);
  return key;
}

const keyOption = {
  key: { type: 'string', value: '<keyId>', description: 'the key to use (required)' },
} as const;

const tokenSign: CommandSpec = {
  name: 'token sign',
  args: [],
  summary: 'Mint a JWT (HS256) signed with a key',
  details:
    'Prints the token alone, for Authorization: Bearer <token>. An app key signs "app" or "appUser" tokens (appUser needs --user); a user-account or service-account key signs "account" tokens. A revoked or expired key is refused.',
  options: {
    ...keyOption,
    scope: { type: 'string', value: '<scope>', description: 'app, appUser or account (required)' },
    user: { type: 'string', value: '<userId>', description: 'the end user of an appUser token' },
    expires: {
      type: 'string',
      value: '<when>',
      description: 'lifetime: a duration (15m, 12h) or an ISO date or instant; default 15m',
    },
  },
  examples: [
    'keyscope token sign --key app_65f0c1d2e3f4a5b6c7d8e9f0 --scope appUser --user u_42 --expires 15m',
    'curl -H "Authorization: Bearer $(keyscope token sign --key act_65f0c1d2e3f4a5b6c7d8e9f1 --scope account)" http://127.0.0.1:3000/v2/apps',
  ],
  json: '{ "token": "<jwt>", "keyId": "<keyId>", "scope": "<scope>", "userId": "<userId>" | null, "expiresAt": "<instant>" }',
  async run(context) {
    const scope = required(context, 'scope') as Scope;
    const userId = optional(context, 'user');
    const expires = optional(context, 'expires');
    const expiresIn =
      expires === undefined ? undefined : parseLifetime(expires, context.now, '--expires');
    const key = await findKey(context);
    const token = await signToken({ key, scope, userId, expiresIn });
    const exp = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp;
    context.output(token, {
      token,
      keyId: key.id,
      scope,
      userId: userId ?? null,
      expiresAt: new Date(exp * 1000).toISOString(),
    });
  },
};

const headerBasic: CommandSpec = {
  name: 'header basic',
  args: [],
  summary: 'Print the Authorization header value (Basic) for a key',
  details: 'Prints "Basic <base64(keyId:secret)>" alone, for Authorization: <value>.',
  options: keyOption,
  examples: [
    'curl -H "Authorization: $(keyscope header basic --key app_65f0c1d2e3f4a5b6c7d8e9f0)" http://127.0.0.1:3000/v2/whoami',
  ],
  json: '{ "header": "Basic <base64>", "keyId": "<keyId>" }',
  async run(context) {
    const key = await findKey(context);
    const header = basicAuthorization({ id: key.id, secret: key.secret });
    context.output(header, { header, keyId: key.id });
  },
};

/** The `token` and `header` commands. */
export const credentialCommands: readonly CommandSpec[] = [tokenSign, headerBasic];
