import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LINK_TYPES, Linker, type LinkType } from '../fs/links.js';
import { configFiles } from '../repo/config/config.js';
import { findRepoRoot } from '../repo/find-root.js';
import { Repo } from '../repo/repo.js';

export interface VersionReport {
  version: string;
  node: string;
  platform: string;
  dvcFormat: string;
  config: { global: string; system: string };
  repo?: { root: string; cacheDir: string; cacheTypes: LinkType[]; scm: boolean };
}

/** Which link types work between the cache and the workspace (each probed with a scratch file). */
export function supportedLinkTypes(cacheFilesRoot: string, workspace: string): LinkType[] {
  const ok: LinkType[] = [];
  for (const type of LINK_TYPES) {
    try {
      const chosen = new Linker([type]).probe(cacheFilesRoot, workspace);
      if (chosen === type) ok.push(type);
    } catch {
      /* not supported here */
    }
  }
  return ok;
}

export function versionReport(cwd: string, version: string): VersionReport {
  const files = configFiles(undefined);
  const report: VersionReport = {
    version,
    node: process.versions.node,
    platform: `${os.type()}-${os.release()}-${os.arch()}`,
    dvcFormat: '3.x',
    config: { global: path.dirname(files.global!), system: path.dirname(files.system!) },
  };
  if (findRepoRoot(cwd)) {
    try {
      const repo = Repo.open({ cwd });
      const cacheTypes = fs.existsSync(repo.dvcDir) ? supportedLinkTypes(repo.cache.filesRoot, repo.tmpDir) : [];
      report.repo = { root: repo.root, cacheDir: repo.cache.dir, cacheTypes, scm: repo.scm };
    } catch {
      /* a broken repo must not stop a bug report */
    }
  }
  return report;
}
