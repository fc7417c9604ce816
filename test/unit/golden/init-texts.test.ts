import { describe, expect, it } from 'vitest';
import { DVC_GITIGNORE, DVCIGNORE_TEXT } from '../../../src/ops/init.js';
import { fixture } from '../helpers.js';

describe('files `dvc init` writes', () => {
  it('.dvc/.gitignore', () => {
    expect(DVC_GITIGNORE).toBe(fixture('dvc-dir.gitignore'));
  });

  it('.dvcignore', () => {
    expect(DVCIGNORE_TEXT).toBe(fixture('dvcignore.after-init'));
  });
});
