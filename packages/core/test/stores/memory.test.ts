/**
 * Tests of the in-memory store and the snapshot behind it: lookups by exact id, the apps each
 * entity reaches (contract section 1), atomic replacement that keeps the last good document on a
 * bad one, and record identity kept across edits for unchanged keys only.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type KeyRecord, KeysFileError } from '../../src/index.js';
import { KEY, keysDocument, SECRET } from '../support/fixtures.js';

describe('createMemoryStore', () => {
  it('refuses an invalid document', () => {
    expect(() => createMemoryStore({ version: 2 })).toThrow(KeysFileError);
    expect(() => createMemoryStore(null, 'inline')).toThrow(
      'inline: the document: must be an object',
    );
  });

  it('finds keys by exact id, with their instants as Dates and their account', async () => {
    const store = createMemoryStore(keysDocument());
    await expect(store.findKey(KEY.scheduled)).resolves.toEqual({
      id: KEY.scheduled,
      secret: SECRET.scheduled,
      entity: { type: 'serviceAccount', id: 'svc_1' },
      accountId: 'acc_1',
      displayName: undefined,
      createdAt: undefined,
      expiresAt: new Date('2031-01-01T00:00:00Z'),
      revokedAt: new Date('2030-07-01T00:00:00Z'),
    });
    await expect(store.findKey(KEY.svc)).resolves.toMatchObject({
      displayName: 'CI',
      expiresAt: undefined,
      revokedAt: undefined,
    });
    await expect(store.findKey(KEY.appC)).resolves.toMatchObject({ accountId: 'acc_2' });
    await expect(store.findKey(KEY.user)).resolves.toMatchObject({ accountId: 'acc_1' });
    await expect(store.findKey(KEY.expired)).resolves.toMatchObject({
      createdAt: new Date('2029-01-01T00:00:00Z'),
    });
  });

  it('answers undefined for unknown ids, other cases and inherited names', async () => {
    const store = createMemoryStore(keysDocument());
    for (const id of ['nope', KEY.appA.toUpperCase(), '', '__proto__', 'constructor']) {
      await expect(store.findKey(id)).resolves.toBeUndefined();
    }
  });

  it('serves a document without serviceAccounts', async () => {
    const d = keysDocument();
    const store = createMemoryStore({
      version: 1,
      apps: d.apps,
      keys: d.keys.filter((k) => k.entity.type !== 'serviceAccount'),
    });
    await expect(store.findKey(KEY.user)).resolves.toMatchObject({ accountId: 'acc_1' });
    await expect(store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).resolves.toEqual([]);
  });

  it('returns frozen records', async () => {
    const record = (await createMemoryStore(keysDocument()).findKey(KEY.appA)) as KeyRecord;
    expect(Object.isFrozen(record)).toBe(true);
    expect(Object.isFrozen(record.entity)).toBe(true);
  });

  it.each([
    [{ type: 'app', id: 'app_a' }, ['app_a']],
    [{ type: 'app', id: 'app_zzz' }, []],
    [{ type: 'userAccount', id: 'acc_1' }, ['app_a', 'app_b']],
    [{ type: 'userAccount', id: 'acc_2' }, ['app_c']],
    [{ type: 'userAccount', id: 'acc_none' }, []],
    [{ type: 'serviceAccount', id: 'svc_1' }, ['app_a']],
    [{ type: 'serviceAccount', id: 'svc_none' }, []],
    [{ type: 'robot', id: 'acc_1' }, []],
  ] as const)('appsFor(%j) = %j', async (entity, apps) => {
    const store = createMemoryStore(keysDocument());
    await expect(store.appsFor(entity as never)).resolves.toEqual(apps);
  });

  it('the app lists it answers cannot be changed by the caller', async () => {
    const store = createMemoryStore(keysDocument());
    const apps = (await store.appsFor({ type: 'userAccount', id: 'acc_1' })) as string[];
    expect(() => apps.push('app_c')).toThrow(TypeError);
    const granted = (await store.appsFor({ type: 'serviceAccount', id: 'svc_1' })) as string[];
    expect(() => granted.push('app_b')).toThrow(TypeError);
    await expect(store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).resolves.toEqual([
      'app_a',
    ]);
  });

  it('the grants of a service account are copied, not shared with the document', async () => {
    const d = keysDocument();
    const store = createMemoryStore(d);
    (d.serviceAccounts![0]!.appIds as string[]).push('app_b');
    await expect(store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).resolves.toEqual([
      'app_a',
    ]);
  });
});

describe('MemoryKeyStore.replace', () => {
  it('swaps the document atomically', async () => {
    const store = createMemoryStore(keysDocument());
    const next = { ...keysDocument(), keys: [] };
    store.replace(next);
    expect(store.document).toBe(next);
    await expect(store.findKey(KEY.appA)).resolves.toBeUndefined();
  });

  it('keeps the current document when the new one is invalid', async () => {
    const first = keysDocument();
    const store = createMemoryStore(first);
    expect(() => store.replace({ ...keysDocument(), version: 3 })).toThrow(
      'keys document: version: must be 1',
    );
    expect(store.document).toBe(first);
    await expect(store.findKey(KEY.appA)).resolves.toMatchObject({ secret: SECRET.appA });
  });

  it('keeps unchanged records as the same objects, and replaces changed ones', async () => {
    const store = createMemoryStore(keysDocument());
    const before = new Map<string, KeyRecord | undefined>();
    for (const id of Object.values(KEY)) before.set(id, await store.findKey(id));

    const next = keysDocument() as unknown as { keys: Record<string, unknown>[] };
    const edits: Record<string, Record<string, unknown>> = {
      [KEY.appB]: { secret: 'demo-rotated-secret-not-for-production' },
      [KEY.appC]: { entity: { type: 'app', id: 'app_a' } },
      [KEY.user]: { entity: { type: 'userAccount', id: 'acc_2' } },
      [KEY.svc]: { displayName: 'CI 2' },
      [KEY.revoked]: { revokedAt: '2030-01-02T00:00:00Z' },
      [KEY.expired]: { createdAt: '2029-01-02T00:00:00Z' },
      [KEY.scheduled]: { expiresAt: '2031-01-02T00:00:00Z' },
      [KEY.colons]: { entity: { type: 'serviceAccount', id: 'svc_1' } },
    };
    next.keys = next.keys.map((k) => ({ ...k, ...(edits[k.id as string] ?? {}) }));
    store.replace(next);

    for (const id of Object.values(KEY)) {
      const after = await store.findKey(id);
      if (id in edits) expect(after, id).not.toBe(before.get(id));
      else expect(after, id).toBe(before.get(id));
      expect(after?.id).toBe(id);
    }
  });

  it('a key whose app moves to another account is a new record', async () => {
    const store = createMemoryStore(keysDocument());
    const before = await store.findKey(KEY.appA);
    const d = keysDocument();
    store.replace({
      ...d,
      apps: d.apps.map((app) => (app.id === 'app_a' ? { ...app, accountId: 'acc_3' } : app)),
      serviceAccounts: [],
      keys: d.keys.filter((k) => k.entity.type !== 'serviceAccount'),
    });
    const after = await store.findKey(KEY.appA);
    expect(after).not.toBe(before);
    expect(after?.accountId).toBe('acc_3');
    await expect(store.appsFor({ type: 'userAccount', id: 'acc_1' })).resolves.toEqual(['app_b']);
  });
});
