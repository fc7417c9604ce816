/**
 * `trove remote add|modify|list|remove|rename|default`: the `['remote "name"']` sections and
 * `core.remote`, as DVC's `dvc remote` edits them. Writes go to the project config (.dvc/config)
 * unless a level is given; every write is one atomic rewrite of one file, keeping its other lines.
 */
import path from 'node:path';
import { TroveError } from '../errors.js';
import { boolOption, intOption, secondsOption } from '../remote/options.js';
import { SECRET_KEYS, TROVE_ONLY_KEYS, checkRemoteSettings } from '../remote/registry.js';
import { CONFIG_LEVELS, Config, configFiles, type ConfigLevel } from '../repo/config/config.js';
import { editIni, removeIniSection, renameIniSection } from '../repo/config/configobj.js';
import { findRepoRoot } from '../repo/find-root.js';
import {
  PATH_KEYS,
  RemoteNotFoundError,
  checkRemoteKey,
  defaultRemote,
  isSecret,
  listRemotes,
  normalizeRemoteName,
  remoteKeysFor,
  remoteNames,
  remoteSection,
  remotesHint,
  shownFile,
  toConfigPath,
  type RemoteListEntry,
} from '../repo/remotes.js';

interface Ctx {
  cwd: string;
  dvcDir: string | undefined;
  config: Config;
}

function open(cwd: string, level: ConfigLevel | undefined): Ctx {
  const root = findRepoRoot(cwd);
  const dvcDir = root ? path.join(root, '.dvc') : undefined;
  if (!dvcDir && (level === 'repo' || level === 'local')) {
    throw new TroveError('NOT_A_REPO', 'not inside a trove/DVC repository', { hint: 'use --global or --system, or run `trove init`' });
  }
  return { cwd, dvcDir, config: Config.load(dvcDir) };
}

/** The level a write goes to: the one asked for, else the project config (as DVC). */
function writeLevel(ctx: Ctx, level: ConfigLevel | undefined): ConfigLevel {
  const l = level ?? 'repo';
  if (!ctx.dvcDir && (l === 'repo' || l === 'local')) {
    throw new TroveError('NOT_A_REPO', 'not inside a trove/DVC repository', {
      hint: 'run it inside a repository, or pass --global or --system to use a config outside of one',
    });
  }
  return l;
}

function fileAt(ctx: Ctx, level: ConfigLevel): string {
  return configFiles(ctx.dvcDir)[level]!;
}

function shown(ctx: Ctx, level: ConfigLevel): string {
  return shownFile(fileAt(ctx, level), ctx.dvcDir);
}

/** Levels from `level` up to the highest precedence (local), that have a file here. */
function levelsFrom(ctx: Ctx, level: ConfigLevel): ConfigLevel[] {
  return CONFIG_LEVELS.slice(CONFIG_LEVELS.indexOf(level)).filter((l) => configFiles(ctx.dvcDir)[l] !== undefined);
}

/** Levels up to and including `level`. */
function levelsTo(level: ConfigLevel): ConfigLevel[] {
  return CONFIG_LEVELS.slice(0, CONFIG_LEVELS.indexOf(level) + 1);
}

/** The remote's name as one level's file spells it (exact, else DVC's lower-cased match). */
function nameAt(ctx: Ctx, levels: readonly ConfigLevel[], name: string): string | undefined {
  const lower = name.toLowerCase();
  let loose: string | undefined;
  for (const l of levels) {
    for (const n of remoteNames(ctx.config, l)) {
      if (n === name) return n;
      if (n.toLowerCase() === lower) loose ??= n;
    }
  }
  return loose;
}

function notFoundAt(ctx: Ctx, name: string, levels: readonly ConfigLevel[], level: ConfigLevel): TroveError {
  const elsewhere = CONFIG_LEVELS.filter((l) => !levels.includes(l) && nameAt(ctx, [l], name) !== undefined);
  if (elsewhere.length > 0) {
    const flag = (l: ConfigLevel) => (l === 'repo' ? '--project' : `--${l}`);
    return new RemoteNotFoundError(
      name,
      `it is defined in ${elsewhere.map((l) => shown(ctx, l)).join(', ')}: add ${elsewhere.map(flag).join(' or ')} to change it there`,
      shown(ctx, level),
    );
  }
  return new RemoteNotFoundError(name, remotesHint(ctx.config));
}

function secretWarning(ctx: Ctx, level: ConfigLevel, name: string, key: string): string {
  if (key === 'url') {
    return (
      `the url of remote '${name}' holds a password, and ${shown(ctx, level)} is committed to git. ` +
      `Drop it from the url and keep credentials in .dvc/config.local (\`trove remote modify --local ${name} <option> <value>\`)`
    );
  }
  return (
    `'${key}' of remote '${name}' is a secret, and ${shown(ctx, level)} is committed to git. ` +
    `Keep it in .dvc/config.local instead: \`trove remote modify --local ${name} ${key} <value>\`, ` +
    `then \`trove remote modify --unset ${name} ${key}\``
  );
}

function unsupportedWarning(name: string, url: string): string {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(url)?.[1] ?? url;
  return `trove cannot use '${scheme}://' remotes yet (DVC can): remote '${name}' is saved, but trove's push, pull and fetch will refuse it`;
}

/** Values of typed options are checked before they are written, as DVC's schema does. */
const INT_KEYS = new Set(['jobs', 'checksum_jobs']);
const BOOL_KEYS = new Set(['verify', 'no_traverse', 'worktree', 'version_aware', 'use_ssl', 'listobjects', 'allow_anonymous_login', 'cache_regions']);
const SECONDS_KEYS = new Set(['read_timeout', 'connect_timeout']);

/** A remote option's value, checked by its kind (a number, a boolean, seconds), as opening the remote reads it. */
export function checkRemoteValue(name: string, key: string, value: string): void {
  const spec = { name, url: '', options: { [key]: value } };
  if (INT_KEYS.has(key)) intOption(spec, key);
  else if (BOOL_KEYS.has(key)) boolOption(spec, key, false);
  else if (SECONDS_KEYS.has(key)) secondsOption(spec, key);
}

export interface RemoteAddOptions {
  cwd: string;
  name: string;
  url: string;
  /** `-d`: make it the default remote (core.remote at the same level). */
  default?: boolean;
  /** `-f`: replace a remote of that name at that level (its other options go too, as in DVC). */
  force?: boolean;
  level?: ConfigLevel;
}

export interface RemoteAddResult {
  name: string;
  /** The url as stored (a relative path is stored relative to the config file). */
  url: string;
  file: string;
  replaced: boolean;
  default: boolean;
  warnings: string[];
}

export function remoteAdd(opts: RemoteAddOptions): RemoteAddResult {
  const ctx = open(opts.cwd, opts.level);
  const level = writeLevel(ctx, opts.level);
  const name = normalizeRemoteName(opts.name);
  if (opts.url.trim() === '') throw new TroveError('REMOTE_BAD_URL', 'the remote url is empty', { hint: 'give a directory, or an s3:// or gs:// url' });
  const existing = nameAt(ctx, [level], name);
  if (existing !== undefined && !opts.force) {
    throw new TroveError('REMOTE_EXISTS', `remote '${existing}' already exists in ${shown(ctx, level)}`, {
      hint: `use -f to overwrite it (\`trove remote add -f ${name} <url>\`), or change only its url with \`trove remote modify ${existing} url <url>\``,
    });
  }
  const sectionName = remoteSection(existing ?? name);
  const file = fileAt(ctx, level);
  const url = toConfigPath(opts.url, opts.cwd, file);
  const warnings: string[] = [];
  if (remoteKeysFor(url).keys === undefined) warnings.push(unsupportedWarning(name, url));
  if (level === 'repo' && isSecret('url', url)) warnings.push(secretWarning(ctx, level, existing ?? name, 'url'));
  if (/^gcs:\/\//i.test(url)) warnings.push(`DVC only knows gs:// urls: write '${url.replace(/^gcs:/i, 'gs:')}' if DVC shares this repository`);
  const others = existing === undefined ? [] : [...ctx.config.sectionAt(level, sectionName)!.keys()].filter((k) => k !== 'url');
  Config.edit(ctx.dvcDir, level, (text, f) => {
    let t = editIni(text, sectionName, 'url', url, f);
    for (const k of others) t = editIni(t, sectionName, k, undefined, f);
    if (opts.default) t = editIni(t, 'core', 'remote', existing ?? name, f);
    return t;
  });
  return { name: existing ?? name, url, file: shownFile(file, ctx.dvcDir), replaced: existing !== undefined, default: Boolean(opts.default), warnings };
}

export interface RemoteModifyOptions {
  cwd: string;
  name: string;
  option: string;
  value?: string;
  unset?: boolean;
  level?: ConfigLevel;
}

export interface RemoteModifyResult {
  name: string;
  option: string;
  file: string;
  /** False when --unset found nothing to remove, or the value was already set. */
  changed: boolean;
  warnings: string[];
}

export async function remoteModify(opts: RemoteModifyOptions): Promise<RemoteModifyResult> {
  const ctx = open(opts.cwd, opts.level);
  const level = writeLevel(ctx, opts.level);
  const wanted = normalizeRemoteName(opts.name);
  // As DVC: the remote must exist at this level or a lower one (a --local overlay of a project remote).
  const name = nameAt(ctx, levelsTo(level), wanted);
  if (name === undefined) throw notFoundAt(ctx, wanted, levelsTo(level), level);
  const key = opts.option;
  if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new TroveError('CONFIG_UNKNOWN_KEY', `'${key}' is not a remote option name`, { exitCode: 1 });
  const sectionName = remoteSection(name);
  const merged = ctx.config.section(sectionName);
  const file = fileAt(ctx, level);
  const warnings: string[] = [];

  if (opts.unset) {
    if (opts.value !== undefined) throw new TroveError('USAGE', 'give either a value or --unset, not both', { exitCode: 2 });
    if (key === 'url') {
      const others = CONFIG_LEVELS.filter((l) => l !== level && ctx.config.sectionAt(l, sectionName)?.has('url'));
      if (others.length === 0) {
        throw new TroveError('REMOTE_NO_URL', `remote '${name}' needs its url`, { hint: `remove the whole remote with \`trove remote remove ${name}\`, or set another url with \`trove remote modify ${name} url <url>\`` });
      }
    }
    const changed = Config.edit(ctx.dvcDir, level, (text, f) => editIni(text, sectionName, key, undefined, f));
    return { name, option: key, file: shownFile(file, ctx.dvcDir), changed, warnings };
  }

  if (opts.value === undefined) {
    throw new TroveError('USAGE', `give a value for '${key}', or --unset to remove it`, { hint: `e.g. \`trove remote modify ${name} jobs 4\``, exitCode: 2 });
  }
  let value = opts.value;
  if (key === 'url') {
    if (value.trim() === '') throw new TroveError('REMOTE_BAD_URL', 'the remote url is empty', { hint: 'give a directory, or an s3:// or gs:// url' });
    const { scheme, keys } = remoteKeysFor(value);
    if (keys) {
      const misfits = [...merged].filter(([k]) => k !== 'url' && !keys.has(k));
      if (misfits.length > 0) {
        throw new TroveError(
          'CONFIG_UNKNOWN_KEY',
          `remote '${name}' has options that ${scheme} remotes do not take: ${misfits.map(([k, v]) => `${k} (${shownFile(v.file, ctx.dvcDir)}:${v.line})`).join(', ')}`,
          { hint: `unset them first with \`trove remote modify --unset ${name} <option>\` (with the level that set them), then change the url`, exitCode: 1 },
        );
      }
    } else warnings.push(unsupportedWarning(name, value));
  } else {
    const url = merged.get('url')?.value;
    if (url !== undefined && remoteKeysFor(url).keys === undefined) warnings.push(`trove cannot check the options of remote '${name}' (${url.replace(/:\/\/.*$/, '://')}): '${key}' is saved as given`);
    checkRemoteKey(name, key, url);
  }
  checkRemoteValue(name, key, value);
  if (PATH_KEYS.has(key)) value = toConfigPath(value, opts.cwd, file);
  await checkMergedSettings(ctx, name, sectionName, key, value);
  if (level === 'repo' && isSecret(key, value)) warnings.push(secretWarning(ctx, level, name, key));
  if (TROVE_ONLY_KEYS.has(key)) {
    warnings.push(
      `'${key}' is trove's own option: DVC refuses a config that holds it. In a repository shared with DVC, set AWS_${key.toUpperCase()}=${value} in the environment instead (trove already uses when_required when endpointurl is set)`,
    );
  }
  const changed = Config.edit(ctx.dvcDir, level, (text, f) => editIni(text, sectionName, key, value, f));
  return { name, option: key, file: shownFile(file, ctx.dvcDir), changed, warnings };
}

/** The remote's options as they will be after this change, checked as opening it would check them. */
async function checkMergedSettings(ctx: Ctx, name: string, sectionName: string, key: string, value: string): Promise<void> {
  const options: Record<string, string> = {};
  for (const [k, v] of ctx.config.section(sectionName)) options[k] = v.value;
  options[key] = value;
  const url = options.url;
  if (url === undefined || remoteKeysFor(url).keys === undefined) return;
  delete options.url;
  // Secrets are free text, set one at a time (a key id now, its secret next): not checked here.
  for (const k of SECRET_KEYS) delete options[k];
  await checkRemoteSettings({ name, url, options });
}

export interface RemoteListOptions {
  cwd: string;
  /** Only what this level's file holds; all levels merged when absent. */
  level?: ConfigLevel;
}

export interface RemoteListResult {
  remotes: RemoteListEntry[];
}

export function remoteList(opts: RemoteListOptions): RemoteListResult {
  const ctx = open(opts.cwd, opts.level);
  return { remotes: listRemotes(ctx.config, opts.level) };
}

export interface RemoteRemoveOptions {
  cwd: string;
  name: string;
  level?: ConfigLevel;
}

export interface RemoteRemoveResult {
  name: string;
  /** Files the remote's section was removed from: the level's, then overlays (no url) above it. */
  removedFrom: string[];
  /** Files whose `core.remote` named it and was unset. */
  defaultUnset: string[];
  /** Files above the level that still define a remote of that name (with a url of their own). */
  stillDefinedIn: string[];
}

export function remoteRemove(opts: RemoteRemoveOptions): RemoteRemoveResult {
  const ctx = open(opts.cwd, opts.level);
  const level = writeLevel(ctx, opts.level);
  const wanted = normalizeRemoteName(opts.name);
  const name = nameAt(ctx, [level], wanted);
  if (name === undefined) throw notFoundAt(ctx, wanted, [level], level);
  const sectionName = remoteSection(name);
  const result: RemoteRemoveResult = { name, removedFrom: [], defaultUnset: [], stillDefinedIn: [] };
  for (const l of levelsFrom(ctx, level)) {
    const here = ctx.config.sectionAt(l, sectionName);
    // Above the level: a section without a url only adds options (secrets in config.local) to
    // the remote being removed, and goes with it; one with its own url is a remote of its own.
    const remove = here !== undefined && (l === level || !here.has('url'));
    if (here && !remove) result.stillDefinedIn.push(shown(ctx, l));
    // As DVC: core.remote naming it is unset at this level and every level above it.
    const unsetDefault = ctx.config.getAt(l, 'core', 'remote')?.toLowerCase() === name.toLowerCase();
    if (!remove && !unsetDefault) continue;
    Config.edit(ctx.dvcDir, l, (text, f) => {
      let t = remove ? removeIniSection(text, sectionName, f) : text;
      if (unsetDefault) t = editIni(t, 'core', 'remote', undefined, f);
      return t;
    });
    if (remove) result.removedFrom.push(shown(ctx, l));
    if (unsetDefault) result.defaultUnset.push(shown(ctx, l));
  }
  return result;
}

export interface RemoteRenameOptions {
  cwd: string;
  name: string;
  newName: string;
  level?: ConfigLevel;
}

export interface RemoteRenameResult {
  name: string;
  newName: string;
  /** Files whose section was renamed: the level's, and any above it holding the same remote. */
  renamedIn: string[];
  /** Files whose `core.remote` named it and now names the new name. */
  defaultRenamed: string[];
}

export function remoteRename(opts: RemoteRenameOptions): RemoteRenameResult {
  const ctx = open(opts.cwd, opts.level);
  const level = writeLevel(ctx, opts.level);
  const wanted = normalizeRemoteName(opts.name);
  const newName = normalizeRemoteName(opts.newName);
  const name = nameAt(ctx, [level], wanted);
  if (name === undefined) throw notFoundAt(ctx, wanted, [level], level);
  const clash = nameAt(ctx, CONFIG_LEVELS, newName);
  if (clash !== undefined && clash !== name) {
    throw new TroveError('REMOTE_EXISTS', `remote '${clash}' already exists`, { hint: `pick another name, or remove it first with \`trove remote remove ${clash}\`` });
  }
  if (name === newName) return { name, newName, renamedIn: [], defaultRenamed: [] };
  const from = remoteSection(name);
  const to = remoteSection(newName);
  const result: RemoteRenameResult = { name, newName, renamedIn: [], defaultRenamed: [] };
  // The section at this level and any above it (a --local overlay holding its secrets) move
  // together; core.remote follows at the same levels, as in DVC.
  for (const l of levelsFrom(ctx, level)) {
    const rename = ctx.config.sectionAt(l, from) !== undefined;
    const renameDefault = ctx.config.getAt(l, 'core', 'remote')?.toLowerCase() === name.toLowerCase();
    if (!rename && !renameDefault) continue;
    Config.edit(ctx.dvcDir, l, (text, f) => {
      let t = rename ? renameIniSection(text, from, to, f) : text;
      if (renameDefault) t = editIni(t, 'core', 'remote', newName, f);
      return t;
    });
    if (rename) result.renamedIn.push(shown(ctx, l));
    if (renameDefault) result.defaultRenamed.push(shown(ctx, l));
  }
  return result;
}

export interface RemoteDefaultOptions {
  cwd: string;
  /** The remote to make the default; absent (and no unset) prints the current one. */
  name?: string;
  unset?: boolean;
  level?: ConfigLevel;
}

export interface RemoteDefaultResult {
  /** The default remote (for a read: undefined when none is set). */
  name?: string;
  /** Where the read value was set, `file:line`. */
  origin?: string;
  changed?: boolean;
  file?: string;
}

export function remoteDefault(opts: RemoteDefaultOptions): RemoteDefaultResult {
  const ctx = open(opts.cwd, opts.level);
  if (opts.name === undefined && !opts.unset) {
    if (opts.level) {
      const v = ctx.config.getAt(opts.level, 'core', 'remote');
      return { name: v || undefined, origin: v ? shown(ctx, opts.level) : undefined };
    }
    const v = defaultRemote(ctx.config);
    return { name: v?.value, origin: v ? `${shownFile(v.file, ctx.dvcDir)}:${v.line}` : undefined };
  }
  const level = writeLevel(ctx, opts.level);
  const file = shown(ctx, level);
  if (opts.unset) {
    if (opts.name !== undefined) throw new TroveError('USAGE', 'give either a remote name or --unset, not both', { exitCode: 2 });
    const changed = Config.edit(ctx.dvcDir, level, (text, f) => editIni(text, 'core', 'remote', undefined, f));
    return { changed, file };
  }
  const wanted = normalizeRemoteName(opts.name!);
  // As DVC: with a level, the remote must be defined there or below; without one, anywhere.
  const levels = opts.level ? levelsTo(level) : CONFIG_LEVELS;
  const name = nameAt(ctx, levels, wanted);
  if (name === undefined) throw notFoundAt(ctx, wanted, levels, level);
  const changed = Config.edit(ctx.dvcDir, level, (text, f) => editIni(text, 'core', 'remote', name, f));
  return { name, changed, file };
}
