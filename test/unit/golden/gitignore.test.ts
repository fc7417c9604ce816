import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { addIgnoreEntry, ignoreEntryFor, isGitIgnored, removeIgnoreEntry } from '../../../src/git/gitignore.js';
import { fixture, listTree, useTempDirs, writeFile } from '../helpers.js';

const tmp = useTempDirs();
let root: string;
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');

beforeEach(() => {
  root = tmp();
  fs.mkdirSync(path.join(root, '.git', 'info'), { recursive: true });
});

describe('.gitignore upkeep, byte for byte against DVC 3.22.1', () => {
  it('`dvc add data.csv` then `dvc add images`', () => {
    expect(addIgnoreEntry(root, 'data.csv', false)).toBe('.gitignore');
    expect(addIgnoreEntry(root, 'images', true)).toBe('.gitignore');
    expect(read('.gitignore')).toBe(fixture('gitignore.after-add'));
  });

  it('then `dvc repro` adds the pipeline outputs (not the cache: false metric)', () => {
    for (const [p, dir] of [['data.csv', false], ['images', true], ['prepared', true], ['model.bin', false]] as const) {
      addIgnoreEntry(root, p, dir);
    }
    expect(read('.gitignore')).toBe(fixture('gitignore.after-repro'));
  });

  it('adding the same output twice changes nothing', () => {
    addIgnoreEntry(root, 'data.csv', false);
    expect(addIgnoreEntry(root, 'data.csv', false)).toBeUndefined();
    expect(read('.gitignore')).toBe('/data.csv\n');
  });

  it('appends to an existing file that lacks a final newline', () => {
    writeFile(path.join(root, '.gitignore'), 'node_modules/');
    addIgnoreEntry(root, 'data.csv', false);
    expect(read('.gitignore')).toBe('node_modules/\n/data.csv\n');
  });

  it('a nested output gets its entry in the .gitignore beside it', () => {
    fs.mkdirSync(path.join(root, 'data', 'raw'), { recursive: true });
    expect(addIgnoreEntry(root, 'data/raw/train.csv', false)).toBe('data/raw/.gitignore');
    expect(read('data/raw/.gitignore')).toBe('/train.csv\n');
    expect(fs.existsSync(path.join(root, '.gitignore'))).toBe(false);
    expect(ignoreEntryFor('data/raw/train.csv')).toEqual({ gitignore: 'data/raw/.gitignore', entry: '/train.csv' });
  });

  it.each([
    ['the root .gitignore ignores the parent directory', '.gitignore', 'data/\n'],
    ['the root .gitignore ignores by pattern', '.gitignore', '*.csv\n'],
    ['a parent directory .gitignore ignores it', 'data/.gitignore', 'raw\n'],
    ['.git/info/exclude ignores it', '.git/info/exclude', '/data/raw/train.csv\n'],
  ])('no entry when %s', (_what, file, text) => {
    writeFile(path.join(root, file), text);
    fs.mkdirSync(path.join(root, 'data', 'raw'), { recursive: true });
    expect(isGitIgnored(root, 'data/raw/train.csv', false)).toBe(true);
    expect(addIgnoreEntry(root, 'data/raw/train.csv', false)).toBeUndefined();
    expect(fs.existsSync(path.join(root, 'data', 'raw', '.gitignore'))).toBe(false);
  });

  it('a negation that re-includes the output still gets an entry', () => {
    writeFile(path.join(root, '.gitignore'), '*.csv\n!train.csv\n');
    expect(isGitIgnored(root, 'train.csv', false)).toBe(false);
    expect(addIgnoreEntry(root, 'train.csv', false)).toBe('.gitignore');
    expect(read('.gitignore')).toBe('*.csv\n!train.csv\n/train.csv\n');
  });

  it('a directory-only pattern does not hide a file of that name', () => {
    writeFile(path.join(root, '.gitignore'), 'model/\n');
    expect(isGitIgnored(root, 'model', false)).toBe(false);
    expect(isGitIgnored(root, 'model', true)).toBe(true);
  });

  it('escapes glob characters in the entry', () => {
    expect(ignoreEntryFor('weird[1]*?.csv').entry).toBe('/weird\\[1\\]\\*\\?.csv');
    expect(ignoreEntryFor('!bang').entry).toBe('/\\!bang');
    expect(ignoreEntryFor('#hash').entry).toBe('/\\#hash');
  });

  it('removeIgnoreEntry removes one line and keeps the others', () => {
    writeFile(path.join(root, '.gitignore'), fixture('gitignore.after-add'));
    expect(removeIgnoreEntry(root, 'data.csv')).toBe('.gitignore');
    expect(read('.gitignore')).toBe('/images\n');
  });

  it('removeIgnoreEntry of the last line keeps the line ends of the others (as DVC does)', () => {
    writeFile(path.join(root, '.gitignore'), '/data.csv\n/images');
    removeIgnoreEntry(root, 'images');
    expect(read('.gitignore')).toBe('/data.csv\n');
    writeFile(path.join(root, '.gitignore'), 'node_modules/\r\n/data.csv\r\n/images\r\n');
    removeIgnoreEntry(root, 'data.csv');
    expect(read('.gitignore')).toBe('node_modules/\r\n/images\r\n');
  });

  it('removeIgnoreEntry deletes the file when nothing is left', () => {
    addIgnoreEntry(root, 'data.csv', false);
    addIgnoreEntry(root, 'images', true);
    removeIgnoreEntry(root, 'data.csv');
    expect(removeIgnoreEntry(root, 'images')).toBe('.gitignore');
    expect(listTree(root)).toEqual(['.git/', '.git/info/']);
  });

  it('removeIgnoreEntry of an entry that is not there changes nothing', () => {
    expect(removeIgnoreEntry(root, 'data.csv')).toBeUndefined();
    writeFile(path.join(root, '.gitignore'), '/other\n');
    expect(removeIgnoreEntry(root, 'data.csv')).toBeUndefined();
    expect(read('.gitignore')).toBe('/other\n');
  });

  it('add then remove in a nested directory leaves no .gitignore behind', () => {
    fs.mkdirSync(path.join(root, 'sub'));
    addIgnoreEntry(root, 'sub/out', true);
    removeIgnoreEntry(root, 'sub/out');
    expect(listTree(path.join(root, 'sub'))).toEqual([]);
  });

  it('leaves no temp files', () => {
    addIgnoreEntry(root, 'a', false);
    addIgnoreEntry(root, 'b', false);
    removeIgnoreEntry(root, 'a');
    expect(listTree(root)).toEqual(['.git/', '.git/info/', '.gitignore']);
  });
});
