import { describe, expect, it } from 'vitest';
import { lsJson, naturalSize, sizeTable } from '../../../src/cli/commands/ls.js';

describe('ls rendering', () => {
  it('sizes as DVC 3.22 prints them (tqdm format_sizeof, divisor 1024, Python rounding)', () => {
    expect(naturalSize(0)).toBe('0');
    expect(naturalSize(1023)).toBe('1023');
    expect(naturalSize(1024)).toBe('1.00k');
    // Exact binary ties round to even, as Python's format does (JavaScript's toFixed rounds up).
    expect(naturalSize(1152)).toBe('1.12k');
    expect(naturalSize(1408)).toBe('1.38k');
    expect(naturalSize(10.25 * 1024)).toBe('10.2k');
    expect(naturalSize(31893)).toBe('31.1k');
    expect(naturalSize(100 * 1024)).toBe('100k');
    expect(naturalSize(1023.5 * 1024)).toBe('1.00M');
    expect(naturalSize(5 * 1024 ** 3)).toBe('5.00G');
  });

  it('--size: an unpadded-right table without a header, empty where the size is unknown', () => {
    const e = (path: string, size: number | null) => ({ isout: true, isdir: false, isexec: false, size, path });
    expect(sizeTable([e('a', 20), e('big', 31893), e('inner', null)])).toEqual(['20     a', '31.1k  big', '       inner']);
  });

  it('--json: DVC\'s key order on one line, non-ASCII escaped as Python does', () => {
    expect(lsJson([{ isout: false, isdir: true, isexec: false, size: null, path: 'é' }])).toBe('[{"isout": false, "isdir": true, "isexec": false, "size": null, "path": "\\u00e9"}]');
    expect(lsJson([])).toBe('[]');
  });
});
