import type { Command } from 'commander';
import { registerAdd } from './add.js';
import { registerCache } from './cache.js';
import { registerCheckout } from './checkout.js';
import { registerCommit } from './commit.js';
import { registerConfig } from './config.js';
import { registerDag } from './dag.js';
import { registerDiff } from './diff.js';
import { registerFetch } from './fetch.js';
import { registerFreeze, registerUnfreeze } from './freeze.js';
import { registerGc } from './gc.js';
import { registerGet } from './get.js';
import { registerImport } from './import.js';
import { registerInit } from './init.js';
import { registerLs } from './ls.js';
import { registerMetrics } from './metrics.js';
import { registerMove } from './move.js';
import { registerParams } from './params.js';
import { registerPull } from './pull.js';
import { registerPush } from './push.js';
import { registerRemote } from './remote.js';
import { registerRemove } from './remove.js';
import { registerRepro } from './repro.js';
import { registerStage } from './stage.js';
import { registerStatus } from './status.js';
import { registerUnprotect } from './unprotect.js';
import { registerUpdate } from './update.js';
import { registerVersion } from './version.js';

/** Every command, in the order `trove --help` lists them. */
export const commands: ((program: Command) => Command)[] = [
  registerInit,
  registerAdd,
  registerStatus,
  registerCommit,
  registerCheckout,
  registerRemove,
  registerMove,
  registerPush,
  registerPull,
  registerFetch,
  registerGc,
  registerLs,
  registerGet,
  registerImport,
  registerUpdate,
  registerUnprotect,
  registerRepro,
  registerDag,
  registerStage,
  registerFreeze,
  registerUnfreeze,
  registerParams,
  registerMetrics,
  registerDiff,
  registerConfig,
  registerRemote,
  registerCache,
  registerVersion,
];
