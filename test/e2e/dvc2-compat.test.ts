import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { md5, repo, type Sandbox } from './helpers.js';

const CRLF = 'id,name\r\n1,alpha\r\n2,beta\r\n';
const LF = CRLF.replace(/\r\n/g, '\n');
const BIN = Buffer.from([0, 13, 10, 1, 2, 13, 10]);

/** Places an object in DVC 2's legacy cache layout, `.dvc/cache/xx/rest`, read-only. */
function legacyObject(s: Sandbox, oid: string, content: string | Buffer): string {
  const p = path.join(s.cacheDir(), oid.slice(0, 2), oid.slice(2));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content, { mode: 0o444 });
  return p;
}

/** A DVC 2 pointer file for a text file: md5-dos2unix (CRLF hashed as LF), no `hash:` field. */
function legacyRepo(): Sandbox {
  const s = repo();
  const oid = md5(LF);
  legacyObject(s, oid, CRLF);
  s.write('legacy.csv.dvc', `outs:\n- md5: ${oid}\n  size: ${CRLF.length}\n  path: legacy.csv\n`);
  // A legacy directory: manifest and entries in the old layout, binary files hashed raw.
  const manifest = `[{"md5": "${md5(BIN)}", "relpath": "b.bin"}, {"md5": "${md5(LF)}", "relpath": "t/text.csv"}]`;
  const dirOid = `${md5(manifest)}.dir`;
  legacyObject(s, dirOid, manifest);
  legacyObject(s, md5(BIN), BIN);
  s.write('old-dir.dvc', `outs:\n- md5: ${dirOid}\n  size: ${BIN.length + CRLF.length}\n  nfiles: 2\n  path: old-dir\n`);
  return s;
}

describe('DVC 2 repositories', () => {
  it('checks out a legacy (md5-dos2unix) file and directory from .dvc/cache/xx/rest', () => {
    const s = legacyRepo();
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({
      'legacy.csv.dvc': [{ 'changed outs': { 'legacy.csv': 'deleted' } }],
      'old-dir.dvc': [{ 'changed outs': { 'old-dir': 'deleted' } }],
    });
    const r = s.ok(['checkout']);
    expect(r.stdout).toBe('A       legacy.csv\nA       old-dir/\n');
    expect(s.read('legacy.csv')).toBe(CRLF);
    expect(s.readBytes('old-dir/b.bin')).toEqual(BIN);
    expect(s.read('old-dir/t/text.csv')).toBe(CRLF);
    // The CRLF file hashes with dos2unix semantics: clean.
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    // Nothing was written in the DVC 3 layout, and the pointer files were left alone.
    expect(s.cacheOids()).toEqual([]);
    expect(s.read('legacy.csv.dvc')).not.toContain('hash:');
  });

  it('status sees a real change to a legacy text file, but not a CRLF/LF-only difference', () => {
    const s = legacyRepo();
    s.ok(['checkout']);
    s.write('legacy.csv', LF);
    expect(s.ok(['status', 'legacy.csv.dvc']).stdout).toBe('Data and pipelines are up to date.\n');
    s.write('legacy.csv', `${CRLF}3,gamma\r\n`);
    expect(JSON.parse(s.ok(['status', '--json', 'legacy.csv.dvc']).stdout)).toEqual({ 'legacy.csv.dvc': [{ 'changed outs': { 'legacy.csv': 'modified' } }] });
  });

  it('gc -w keeps legacy objects in use and drops unused ones', () => {
    const s = legacyRepo();
    const unused = legacyObject(s, md5('unused'), 'unused');
    const r = s.ok(['gc', '-w', '-f']);
    expect(r.stdout).toContain("Removed 1 object");
    expect(fs.existsSync(unused)).toBe(false);
    s.ok(['checkout']);
    expect(s.read('legacy.csv')).toBe(CRLF);
  });

  it('re-adding a legacy output upgrades it to DVC 3 (`hash: md5`, raw bytes, files/md5 layout)', () => {
    const s = legacyRepo();
    s.ok(['checkout']);
    s.ok(['add', 'legacy.csv']);
    // DVC updates a loaded .dvc file in place (apply_diff): the new `hash` key goes last.
    expect(s.read('legacy.csv.dvc')).toBe(`outs:\n- md5: ${md5(CRLF)}\n  size: ${CRLF.length}\n  path: legacy.csv\n  hash: md5\n`);
    expect(s.cacheOids()).toEqual([md5(CRLF)]);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });

  it('a legacy output whose object is gone is "not in cache"', () => {
    const s = legacyRepo();
    fs.rmSync(path.join(s.cacheDir(), md5(LF).slice(0, 2)), { recursive: true });
    expect(JSON.parse(s.ok(['status', '--json', 'legacy.csv.dvc']).stdout)).toEqual({ 'legacy.csv.dvc': [{ 'changed outs': { 'legacy.csv': 'not in cache' } }] });
  });
});
