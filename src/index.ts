/**
 * trove's public TypeScript API. The CLI is one consumer of these ops; scripts and notebooks can
 * call them directly:
 *
 *   import { Repo, add, status } from 'trove';
 *   const repo = Repo.open({ cwd: '/path/to/project' });
 *   await add(repo, { targets: ['data'] }, silentIo);
 *   repo.close();
 */
export { TroveError, FileFormatError, MultiError } from './errors.js';
export type { ProgressEvent, Reporter } from './progress.js';
export { silentReporter } from './progress.js';
export { Repo } from './repo/repo.js';
export { PointerFile } from './repo/pointer-file.js';
export { Config } from './repo/config/config.js';
export { LocalCache } from './objects/local-cache.js';
export { serializeTree, treeOid, parseTree, type TreeEntry } from './objects/tree.js';
export { HashIndex } from './hash/hash-index.js';
export { silentIo, type OpIo } from './ops/io.js';
export { init, type InitOptions, type InitResult } from './ops/init.js';
export { add, type AddOptions, type AddResult } from './ops/add.js';
export { status, type StatusOptions, type StatusResult } from './ops/status.js';
export { commit, type CommitOptions, type CommitResult } from './ops/commit.js';
export { checkout, type CheckoutOptions, type CheckoutResult } from './ops/checkout.js';
export { remove, type RemoveOptions, type RemoveResult } from './ops/remove.js';
export { move, type MoveOptions, type MoveResult } from './ops/move.js';
export { gc, type GcOptions, type GcResult } from './ops/gc.js';
export { unprotect, type UnprotectOptions, type UnprotectResult } from './ops/unprotect.js';
export { config, type ConfigOptions, type ConfigResult } from './ops/config.js';
export { cacheDir, type CacheDirOptions, type CacheDirResult } from './ops/cache-dir.js';
