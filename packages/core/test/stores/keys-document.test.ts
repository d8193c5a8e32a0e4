/**
 * Tests of `validateKeysDocument`: a valid document is returned as is; every kind of bad entry is
 * refused whole with a message that names the source, the entry (`keys[1] ("...")`) and the
 * problem, and never contains a secret.
 */
import { describe, expect, it } from 'vitest';
import { type KeysDocument, KeysFileError, validateKeysDocument } from '../../src/index.js';
import { keysDocument, SECRET } from '../support/fixtures.js';

type Doc = {
  version?: unknown;
  apps?: unknown;
  serviceAccounts?: unknown;
  keys?: unknown;
  [extra: string]: unknown;
};
type Mutable = {
  apps: Record<string, unknown>[];
  serviceAccounts: Record<string, unknown>[];
  keys: Record<string, unknown>[];
} & Doc;

/** A deep, mutable copy of the fixture document. */
const doc = () => structuredClone(keysDocument()) as unknown as Mutable;
const secrets = Object.values(SECRET);

function refusal(value: unknown, source?: string): string {
  try {
    validateKeysDocument(value, source);
  } catch (error) {
    expect(error).toBeInstanceOf(KeysFileError);
    const message = (error as Error).message;
    for (const secret of secrets) expect(message).not.toContain(secret);
    return message;
  }
  throw new Error('expected the document to be refused');
}

describe('validateKeysDocument: valid documents', () => {
  it('returns the document itself', () => {
    const d = keysDocument();
    expect(validateKeysDocument(d)).toBe(d);
  });

  it('accepts a document without serviceAccounts, and empty lists', () => {
    const d = { version: 1, apps: [], keys: [] };
    expect(validateKeysDocument(d)).toBe(d);
  });

  it('accepts null for optional key fields, and every instant form', () => {
    const d = doc();
    d.keys[0] = {
      ...d.keys[0],
      displayName: null,
      createdAt: '2030-01-01T00:00:00.123456789+02:00',
      expiresAt: '2031-01-01T00:00:00-05:30',
      revokedAt: null,
    };
    expect(() => validateKeysDocument(d)).not.toThrow();
  });

  it('accepts ids of 256 characters, and a display name of 256', () => {
    const d = doc();
    d.keys[0] = { ...d.keys[0], id: 'k'.repeat(256), displayName: 'd'.repeat(256) };
    expect(() => validateKeysDocument(d)).not.toThrow();
  });

  it('a user-account key needs no declared account', () => {
    const d = doc();
    d.keys.push({ id: 'act_x', secret: 's', entity: { type: 'userAccount', id: 'acc_new' } });
    expect(() => validateKeysDocument(d)).not.toThrow();
  });
});

describe('validateKeysDocument: the document', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a string', '{}'],
    ['a number', 1],
  ])('%s is refused', (_l, value) => {
    expect(refusal(value)).toBe('keys document: the document: must be an object');
  });

  it('names the source', () => {
    expect(refusal(null, '/etc/keys.json')).toBe('/etc/keys.json: the document: must be an object');
  });

  it.each([
    ['missing', undefined],
    ['2', 2],
    ['"1"', '1'],
    ['1.5', 1.5],
  ])('version %s is refused', (_l, version) => {
    const d = doc();
    if (version === undefined) delete d.version;
    else d.version = version;
    expect(refusal(d)).toBe('keys document: version: must be 1');
  });

  it('an unknown top-level field is refused', () => {
    expect(refusal({ ...doc(), extra: true })).toBe(
      'keys document: the document: unknown field "extra"',
    );
  });

  it('a "__proto__" field is refused, not merged', () => {
    const d = JSON.parse('{"version":1,"apps":[],"keys":[],"__proto__":{"x":1}}');
    expect(refusal(d)).toBe('keys document: the document: unknown field "__proto__"');
  });

  it.each([
    ['apps', undefined],
    ['apps', {}],
    ['keys', undefined],
    ['keys', 'none'],
    ['serviceAccounts', null],
    ['serviceAccounts', {}],
  ])('%s = %j is refused', (field, value) => {
    const d = doc();
    if (value === undefined) delete d[field];
    else d[field] = value;
    expect(refusal(d)).toBe(`keys document: ${field}: must be an array`);
  });
});

describe('validateKeysDocument: apps', () => {
  it.each([
    ['not an object', 'app_x', 'apps[1]: must be an object'],
    [
      'an unknown field',
      { id: 'app_x', accountId: 'a', owner: 'me' },
      'apps[1] ("app_x"): unknown field "owner"',
    ],
    [
      'no id',
      { accountId: 'a' },
      'apps[1]: id must be a string of 1 to 256 characters without control characters',
    ],
    [
      'an empty id',
      { id: '', accountId: 'a' },
      'apps[1] (""): id must be a string of 1 to 256 characters without control characters',
    ],
    [
      'a numeric id',
      { id: 7, accountId: 'a' },
      'apps[1]: id must be a string of 1 to 256 characters without control characters',
    ],
    [
      'an id of 257 characters',
      { id: 'a'.repeat(257), accountId: 'a' },
      `apps[1] ("${'a'.repeat(64)}"): id must be a string of 1 to 256 characters without control characters`,
    ],
    [
      'an id with a newline',
      { id: 'app\nx', accountId: 'a' },
      'apps[1] ("app\\nx"): id must be a string of 1 to 256 characters without control characters',
    ],
    [
      'no accountId',
      { id: 'app_x' },
      'apps[1] ("app_x"): accountId must be a string of 1 to 256 characters without control characters',
    ],
    ['a duplicate id', { id: 'app_a', accountId: 'acc_9' }, 'apps[1] ("app_a"): duplicate app id'],
  ])('an app with %s is refused', (_l, app, message) => {
    const d = doc();
    d.apps[1] = app as Record<string, unknown>;
    expect(refusal(d)).toBe(`keys document: ${message}`);
  });
});

describe('validateKeysDocument: service accounts', () => {
  const svc = (fields: Record<string, unknown>) => ({
    id: 'svc_2',
    accountId: 'acc_1',
    appIds: [],
    ...fields,
  });

  it.each([
    ['not an object', null, 'serviceAccounts[1]: must be an object'],
    [
      'an unknown field',
      svc({ role: 'admin' }),
      'serviceAccounts[1] ("svc_2"): unknown field "role"',
    ],
    [
      'an invalid id',
      svc({ id: '' }),
      'serviceAccounts[1] (""): id must be a string of 1 to 256 characters without control characters',
    ],
    [
      'a duplicate id',
      svc({ id: 'svc_1' }),
      'serviceAccounts[1] ("svc_1"): duplicate service account id',
    ],
    [
      'no accountId',
      svc({ accountId: undefined }),
      'serviceAccounts[1] ("svc_2"): accountId must be a string of 1 to 256 characters without control characters',
    ],
    [
      'appIds not a list',
      svc({ appIds: 'app_a' }),
      'serviceAccounts[1] ("svc_2").appIds: must be an array',
    ],
    [
      'a non-string app id',
      svc({ appIds: [1] }),
      'serviceAccounts[1] ("svc_2"): appIds[] must be a string of 1 to 256 characters without control characters',
    ],
    [
      'an app that does not exist',
      svc({ appIds: ['app_zzz'] }),
      'serviceAccounts[1] ("svc_2"): app "app_zzz" is not in apps',
    ],
    [
      'an app of another account',
      svc({ appIds: ['app_c'] }),
      'serviceAccounts[1] ("svc_2"): app "app_c" belongs to another account',
    ],
    [
      'an app granted twice',
      svc({ appIds: ['app_a', 'app_b', 'app_a'] }),
      'serviceAccounts[1] ("svc_2"): app "app_a" is granted twice',
    ],
  ])('a service account with %s is refused', (_l, value, message) => {
    const d = doc();
    d.serviceAccounts[1] = value as Record<string, unknown>;
    if (value !== null && (value as { accountId?: unknown }).accountId === undefined) {
      delete (d.serviceAccounts[1] as Record<string, unknown>).accountId;
    }
    expect(refusal(d)).toBe(`keys document: ${message}`);
  });
});

describe('validateKeysDocument: keys', () => {
  const key = (fields: Record<string, unknown>) => ({
    id: 'app_new',
    secret: SECRET.appB,
    entity: { type: 'app', id: 'app_a' },
    ...fields,
  });
  const FIELD = 'must be a string of 1 to 256 characters without control characters';
  const INSTANT = 'must be an ISO-8601 instant with a time zone, or null';

  it.each([
    ['not an object', 'app_new', 'keys[1]: must be an object'],
    ['an unknown field', key({ scopes: ['all'] }), 'keys[1] ("app_new"): unknown field "scopes"'],
    [
      'an unknown field with a control character',
      key({ 'x\u0007': 1 }),
      'keys[1] ("app_new"): unknown field "x\\u0007"',
    ],
    ['no id', key({ id: undefined }), `keys[1]: id ${FIELD}`],
    ['an empty id', key({ id: '' }), `keys[1] (""): id ${FIELD}`],
    ['an id with a tab', key({ id: 'app\tnew' }), `keys[1] ("app\\tnew"): id ${FIELD}`],
    ['an id with a DEL', key({ id: 'app\u007fnew' }), `keys[1] ("app?new"): id ${FIELD}`],
    ['an id with a C1 control', key({ id: 'app\u0085new' }), `keys[1] ("app?new"): id ${FIELD}`],
    ['an id with a colon', key({ id: 'app:new' }), 'keys[1] ("app:new"): id may not contain ":"'],
    [
      'a duplicate id',
      key({ id: 'app_65f0c1d2e3f4a5b6c7d8e9f0' }),
      'keys[1] ("app_65f0c1d2e3f4a5b6c7d8e9f0"): duplicate key id',
    ],
    [
      'no secret',
      key({ secret: undefined }),
      'keys[1] ("app_new"): secret must be a non-empty string',
    ],
    [
      'an empty secret',
      key({ secret: '' }),
      'keys[1] ("app_new"): secret must be a non-empty string',
    ],
    [
      'a numeric secret',
      key({ secret: 12345 }),
      'keys[1] ("app_new"): secret must be a non-empty string',
    ],
    ['no entity', key({ entity: undefined }), 'keys[1] ("app_new").entity: must be an object'],
    [
      'an entity that is a string',
      key({ entity: 'app_a' }),
      'keys[1] ("app_new").entity: must be an object',
    ],
    [
      'an entity with an unknown field',
      key({ entity: { type: 'app', id: 'app_a', x: 1 } }),
      'keys[1] ("app_new").entity: unknown field "x"',
    ],
    [
      'an unknown entity type',
      key({ entity: { type: 'admin', id: 'app_a' } }),
      'keys[1] ("app_new"): entity.type must be "app", "userAccount" or "serviceAccount"',
    ],
    [
      'an entity type in another case',
      key({ entity: { type: 'App', id: 'app_a' } }),
      'keys[1] ("app_new"): entity.type must be "app", "userAccount" or "serviceAccount"',
    ],
    [
      'an empty entity id',
      key({ entity: { type: 'app', id: '' } }),
      `keys[1] ("app_new"): entity.id ${FIELD}`,
    ],
    [
      'an app that does not exist',
      key({ entity: { type: 'app', id: 'app_zzz' } }),
      'keys[1] ("app_new"): entity app "app_zzz" is not in apps',
    ],
    [
      'an app id in another case',
      key({ entity: { type: 'app', id: 'APP_A' } }),
      'keys[1] ("app_new"): entity app "APP_A" is not in apps',
    ],
    [
      'a service account that does not exist',
      key({ entity: { type: 'serviceAccount', id: 'svc_9' } }),
      'keys[1] ("app_new"): entity service account "svc_9" is not in serviceAccounts',
    ],
    [
      'a numeric displayName',
      key({ displayName: 5 }),
      'keys[1] ("app_new"): displayName must be a string of at most 256 characters',
    ],
    [
      'a displayName of 257 characters',
      key({ displayName: 'd'.repeat(257) }),
      'keys[1] ("app_new"): displayName must be a string of at most 256 characters',
    ],
    [
      'an expiresAt without time zone',
      key({ expiresAt: '2031-01-01T00:00:00' }),
      `keys[1] ("app_new"): expiresAt ${INSTANT}`,
    ],
    [
      'a date-only expiresAt',
      key({ expiresAt: '2031-01-01' }),
      `keys[1] ("app_new"): expiresAt ${INSTANT}`,
    ],
    [
      'a numeric expiresAt',
      key({ expiresAt: 1924992000000 }),
      `keys[1] ("app_new"): expiresAt ${INSTANT}`,
    ],
    [
      'an impossible revokedAt',
      key({ revokedAt: '2031-13-45T99:00:00Z' }),
      `keys[1] ("app_new"): revokedAt ${INSTANT}`,
    ],
    [
      'a revokedAt of false',
      key({ revokedAt: false }),
      `keys[1] ("app_new"): revokedAt ${INSTANT}`,
    ],
    [
      'a free-text createdAt',
      key({ createdAt: 'yesterday' }),
      `keys[1] ("app_new"): createdAt ${INSTANT}`,
    ],
  ])('a key with %s is refused', (_l, value, message) => {
    const d = doc();
    d.keys[1] = value as Record<string, unknown>;
    for (const [name, field] of Object.entries(d.keys[1] ?? {})) {
      if (field === undefined) delete (d.keys[1] as Record<string, unknown>)[name];
    }
    expect(refusal(d)).toBe(`keys document: ${message}`);
  });

  it('names the first bad entry only, at its index', () => {
    const d = doc();
    d.keys[3] = { ...d.keys[3], secret: '' };
    d.keys[5] = { ...d.keys[5], secret: '' };
    expect(refusal(d)).toBe(
      'keys document: keys[3] ("act_65f0c1d2e3f4a5b6c7d8e9f1"): secret must be a non-empty string',
    );
  });

  it('escapes quotes in an id it names', () => {
    const d = doc();
    d.keys[1] = key({ id: 'say "hi"', secret: '' });
    expect(refusal(d)).toBe(
      'keys document: keys[1] ("say \\"hi\\""): secret must be a non-empty string',
    );
  });

  it('a refused document is never returned typed', () => {
    const bad = { ...doc(), version: 2 } as unknown as KeysDocument;
    expect(() => validateKeysDocument(bad)).toThrow(KeysFileError);
  });
});
