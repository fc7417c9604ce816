import path from 'node:path';
import { TroveError } from '../errors.js';
import { parseLinkTypes } from '../fs/links.js';
import { Config, configFiles, type ConfigLevel } from '../repo/config/config.js';
import { SECRET_KEYS } from '../remote/registry.js';
import { findRepoRoot } from '../repo/find-root.js';
import { PATH_KEYS, checkRemoteKey, remoteNameOf, toConfigPath } from '../repo/remotes.js';
import { checkRemoteValue } from './remote.js';

export interface ConfigOptions {
  cwd: string;
  /** `section.key`, or `remote.<name>.<key>` for named sections. */
  name?: string;
  value?: string;
  unset?: boolean;
  list?: boolean;
  level?: ConfigLevel;
}

export interface ConfigResult {
  /** For a read: the value (undefined when unset). For --list: every entry. */
  value?: string;
  entries?: { name: string; value: string; level: ConfigLevel }[];
  changed?: boolean;
}

/** Splits `core.remote` or `remote.myremote.url` into INI section and key. */
export function splitConfigName(name: string): { section: string; key: string } {
  const parts = name.split('.');
  if (parts.length === 2 && parts[0] && parts[1]) return { section: parts[0], key: parts[1] };
  if (parts.length >= 3 && ['remote', 'machine', 'db'].includes(parts[0]!)) {
    const key = parts[parts.length - 1]!;
    const sub = parts.slice(1, -1).join('.');
    return { section: `${parts[0]} "${sub}"`, key };
  }
  throw new TroveError('CONFIG_BAD_NAME', `'${name}' is not a config option name`, { hint: 'names look like `cache.type` or `remote.<name>.url`', exitCode: 2 });
}

function joinName(section: string, key: string): string {
  const m = /^(\w+) "(.+)"$/.exec(section);
  return m ? `${m[1]}.${m[2]}.${key}` : `${section}.${key}`;
}

function checkValue(section: string, key: string, value: string): void {
  if (section === 'cache' && key === 'type') parseLinkTypes(value, 'cache.type');
  const bools = new Set(['core.autostage', 'core.no_scm', 'core.check_update', 'core.interactive', 'core.hardlink_lock', 'core.analytics', 'cache.protected', 'cache.slow_link_warning']);
  if (bools.has(`${section}.${key}`) && !/^(true|false|yes|no|1|0|on|off)$/i.test(value)) {
    throw new TroveError('CONFIG_INVALID', `${section}.${key} must be true or false, not '${value}'`, { exitCode: 1 });
  }
}

export function config(opts: ConfigOptions): ConfigResult {
  const root = findRepoRoot(opts.cwd);
  const dvcDir = root ? path.join(root, '.dvc') : undefined;
  if (!dvcDir && (opts.level === 'repo' || opts.level === 'local')) {
    throw new TroveError('NOT_A_REPO', 'not inside a trove/DVC repository', { hint: 'use --global or --system, or run `trove init`' });
  }
  const cfg = Config.load(dvcDir);
  if (opts.list) {
    // Secrets are listed masked: `config -l` output ends up in bug reports and screen shares.
    const entries = cfg.list(opts.level).map((e) => ({
      name: joinName(e.section, e.key),
      value: remoteNameOf(e.section) !== undefined && SECRET_KEYS.has(e.key) ? '***' : e.value,
      level: e.level,
    }));
    return { entries: entries.sort((a, b) => (a.name < b.name ? -1 : 1)) };
  }
  if (!opts.name) throw new TroveError('USAGE', 'name an option, e.g. `trove config cache.type`', { exitCode: 2 });
  const { section, key } = splitConfigName(opts.name);
  Config.validateKey(section, key);
  if (opts.unset) {
    const level = opts.level ?? (dvcDir ? 'repo' : 'global');
    if (cfg.getAt(level, section, key) === undefined) {
      throw new TroveError('CONFIG_NOT_SET', `option '${opts.name}' is not set in the ${level} config`, { hint: 'nothing to unset' });
    }
    Config.write(dvcDir, level, section, key, undefined);
    return { changed: true };
  }
  if (opts.value === undefined) {
    if (!opts.level) return { value: cfg.get(section, key)?.value };
    const v = cfg.getAt(opts.level, section, key);
    // As DVC: asking one level for an option it lacks is an error; without a level it is not.
    if (v === undefined) throw new TroveError('CONFIG_NOT_SET', `option '${opts.name}' is not set in the ${opts.level} config`);
    return { value: v };
  }
  checkValue(section, key, opts.value);
  const level = opts.level ?? (dvcDir ? 'repo' : 'global');
  if (!dvcDir && (level === 'repo' || level === 'local')) throw new TroveError('NOT_A_REPO', 'not inside a repository');
  let value = opts.value;
  const remote = remoteNameOf(section);
  if (remote !== undefined) {
    // The same checks as `trove remote modify`: the option must suit the remote's kind, and a
    // relative path is stored relative to the config file, as DVC stores it.
    checkRemoteKey(remote, key, key === 'url' ? value : cfg.section(section).get('url')?.value);
    checkRemoteValue(remote, key, value);
    if (PATH_KEYS.has(key)) value = toConfigPath(value, opts.cwd, configFiles(dvcDir)[level]!);
  }
  Config.write(dvcDir, level, section, key, value);
  return { changed: true };
}
