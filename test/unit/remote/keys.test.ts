import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { areaBase, isObjectKey, keyOf, md5Base64Of, md5HexOf, objectsBase, oidOf, parseRunKey, runKeyOf } from '../../../src/remote/keys.js';

describe('remote keys', () => {
  const md5 = createHash('md5').update('data\n').digest('hex');

  it('maps oids to keys and back, and keys to the md5 of their bytes', () => {
    expect(keyOf(md5)).toBe(`${md5.slice(0, 2)}/${md5.slice(2)}`);
    expect(oidOf(keyOf(`${md5}.dir`))).toBe(`${md5}.dir`);
    expect(md5HexOf(keyOf(`${md5}.dir`))).toBe(md5);
    expect(md5Base64Of(keyOf(md5))).toBe(createHash('md5').update('data\n').digest('base64'));
    expect(md5Base64Of(keyOf(`${md5}.dir`))).toBe(md5Base64Of(keyOf(md5)));
  });

  it('tells object keys from other names in a listing', () => {
    expect(isObjectKey(keyOf(md5))).toBe(true);
    expect(isObjectKey(keyOf(`${md5}.dir`))).toBe(true);
    for (const other of [md5, `${md5.slice(0, 2)}/.trove-tmp-1-1`, `${md5.slice(0, 3)}/${md5.slice(3)}`, keyOf(md5.toUpperCase())]) {
      expect(isObjectKey(other)).toBe(false);
      expect(md5Base64Of(other)).toBeUndefined();
    }
  });

  it('puts objects under files/md5/ below the url path', () => {
    expect(objectsBase('')).toBe('files/md5/');
    expect(objectsBase('a/b')).toBe('a/b/files/md5/');
  });

  it('puts the run-cache beside files/, at runs/ below the url path', () => {
    expect(areaBase('', 'runs')).toBe('runs/');
    expect(areaBase('a/b', 'runs')).toBe('a/b/runs/');
    expect(areaBase('a/b', 'objects')).toBe(objectsBase('a/b'));
  });

  it("names a run-cache entry <key[:2]>/<key>/<value>, as DVC's runs/ does, and reads such names back", () => {
    const key = createHash('sha256').update('key').digest('hex');
    const value = createHash('sha256').update('value').digest('hex');
    expect(runKeyOf(key, value)).toBe(`${key.slice(0, 2)}/${key}/${value}`);
    expect(parseRunKey(runKeyOf(key, value))).toEqual({ key, value });
    for (const other of [
      `${key}/${value}`,
      `${key.slice(0, 3)}/${key}/${value}`,
      `ff/${key}/${value}`, // a shard that is not the key's (sha256('key') starts with 2c)
      `${key.slice(0, 2)}/${key}/.trove-tmp-1-1`,
      `${key.slice(0, 2)}/${key}/.${value}.123.1.tmp`,
      `${key.slice(0, 2)}/${key}/${value}/x`,
      runKeyOf(key, value.toUpperCase()),
      keyOf(md5),
    ]) {
      expect(parseRunKey(other), other).toBeUndefined();
    }
  });
});
