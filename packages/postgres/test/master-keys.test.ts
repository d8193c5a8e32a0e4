/**
 * Tests of the master-key list (`KEYSCOPE_MASTER_KEY`): one key in hex, base64 or base64url, a
 * list with and without ids (the first is current), stable derived ids, and refusals that name the
 * entry by position and never echo key material. Also `generateMasterKey`. No database needed.
 */
import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@keyscope/core';
import { describe, expect, it } from 'vitest';
import { generateMasterKey, parseMasterKeys } from '../src/index.js';
import { resolveMasterKeys } from '../src/master-keys.js';

const bytes = randomBytes(32);

describe('parseMasterKeys', () => {
  it('reads one key written in hex, base64 or base64url, with a derived, stable id', () => {
    const forms = [
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=$/, ''),
      bytes.toString('base64url'),
    ];
    const parsed = forms.map((text) => parseMasterKeys(`  ${text}  `));
    for (const keys of parsed) {
      expect(keys).toHaveLength(1);
      expect(Buffer.from(keys[0]!.key).equals(bytes)).toBe(true);
      expect(keys[0]!.id).toBe(parsed[0]![0]!.id);
    }
    expect(parsed[0]![0]!.id).toMatch(/^mk-[0-9a-f]{12}$/);
    expect(parseMasterKeys(randomBytes(32).toString('hex'))[0]!.id).not.toBe(parsed[0]![0]!.id);
  });

  it('reads a list "id:key,..." (the first is current), ids optional per entry', () => {
    const other = randomBytes(32);
    const keys = parseMasterKeys(
      `k2:${bytes.toString('base64')}, ${other.toString('hex')} ,old.v1_x-y:${other.toString('base64url')}`,
    );
    expect(keys.map((k) => k.id)).toEqual([
      'k2',
      parseMasterKeys(other.toString('hex'))[0]!.id,
      'old.v1_x-y',
    ]);
    expect(Buffer.from(keys[0]!.key).equals(bytes)).toBe(true);
    expect(Object.isFrozen(keys)).toBe(true);
  });

  it.each([
    ['', 'KEYSCOPE_MASTER_KEY is not set'],
    ['   ', 'KEYSCOPE_MASTER_KEY is not set'],
    ['abc', 'KEYSCOPE_MASTER_KEY: entry 1: a master key must be 32 bytes'],
    [randomBytes(31).toString('base64'), 'KEYSCOPE_MASTER_KEY: entry 1: a master key must be 32'],
    [randomBytes(33).toString('hex'), 'KEYSCOPE_MASTER_KEY: entry 1: a master key must be 32'],
    [`k1:${bytes.toString('hex')},`, 'KEYSCOPE_MASTER_KEY: entry 2: a master key must be'],
    [`bad id:${bytes.toString('hex')}`, 'KEYSCOPE_MASTER_KEY: entry 1: the key id must be'],
    [`:${bytes.toString('hex')}`, 'KEYSCOPE_MASTER_KEY: entry 1: the key id must be'],
    [
      `a:${bytes.toString('hex')},a:${randomBytes(32).toString('hex')}`,
      'KEYSCOPE_MASTER_KEY: entry 2: the key id "a" is used twice',
    ],
  ])('refuses %j', (text, message) => {
    const error = (() => {
      try {
        parseMasterKeys(text);
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message.startsWith(message)).toBe(true);
    for (const part of text.split(/[,:]/)) {
      if (part.trim().length > 8) expect(error.message).not.toContain(part.trim());
    }
  });

  it('refuses a non-canonical base64 key (stray low bits in the last character)', () => {
    const text = bytes.toString('base64').replace(/=$/, '');
    const last = text.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const tweaked = text.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(() => parseMasterKeys(tweaked)).toThrow(ConfigurationError);
  });

  it('names its source in messages', () => {
    expect(() => parseMasterKeys('x', 'masterKeys')).toThrow('masterKeys: entry 1:');
  });
});

describe('resolveMasterKeys (the masterKeys option)', () => {
  it('takes keys as objects, checks them and copies the bytes', () => {
    const keys = resolveMasterKeys([{ id: 'k1', key: new Uint8Array(bytes) }]);
    expect(keys[0]!.id).toBe('k1');
    expect(Buffer.from(keys[0]!.key).equals(bytes)).toBe(true);
    expect(() => resolveMasterKeys([])).toThrow('masterKeys must list at least one master key');
    expect(() => resolveMasterKeys([{ id: 'k1', key: new Uint8Array(16) }])).toThrow(
      'masterKeys[0].key must be 32 bytes',
    );
    expect(() => resolveMasterKeys([{ id: 'k 1', key: bytes }])).toThrow('masterKeys[0].id');
    expect(() =>
      resolveMasterKeys([
        { id: 'k1', key: bytes },
        { id: 'k1', key: bytes },
      ]),
    ).toThrow('masterKeys[1]: the key id is used twice');
  });
});

describe('generateMasterKey', () => {
  it('makes distinct 32-byte keys that parse', () => {
    const a = generateMasterKey();
    const b = generateMasterKey();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(parseMasterKeys(a)).toHaveLength(1);
  });
});
