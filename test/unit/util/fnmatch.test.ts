import { describe, expect, it } from 'vitest';
import { fnmatchRegExp, hasGlobChars } from '../../../src/util/fnmatch.js';

const m = (pattern: string, s: string) => fnmatchRegExp(pattern).test(s);

describe("fnmatch (Python's, for --glob)", () => {
  it('* and ? match any characters, / included', () => {
    expect(m('train-*', 'train-a')).toBe(true);
    expect(m('train-*', 'train-')).toBe(true);
    expect(m('train-*', 'xtrain-a')).toBe(false);
    expect(m('e?al', 'eval')).toBe(true);
    expect(m('e?al', 'eal')).toBe(false);
    expect(m('a*', 'a/b')).toBe(true);
  });

  it('[seq] and [!seq]; an unclosed [ is literal; regex characters are literal', () => {
    expect(m('s[12]', 's1')).toBe(true);
    expect(m('s[12]', 's3')).toBe(false);
    expect(m('s[!12]', 's3')).toBe(true);
    expect(m('s[!12]', 's1')).toBe(false);
    expect(m('s[a-c]', 'sb')).toBe(true);
    expect(m('s[', 's[')).toBe(true);
    expect(m('a.b+c', 'a.b+c')).toBe(true);
    expect(m('a.b', 'axb')).toBe(false);
    expect(m('lr@0.1', 'lr@0.1')).toBe(true);
  });

  it('tells patterns from plain names', () => {
    expect(hasGlobChars('train')).toBe(false);
    expect(hasGlobChars('train@*')).toBe(true);
    expect(hasGlobChars('s[1]')).toBe(true);
  });
});
