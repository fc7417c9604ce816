import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileFormatError, TroveError, throwCollected } from '../../errors.js';
import { readFileIfExists, writeFileAtomic } from '../../fs/atomic-write.js';
import { editIni, parseIni, type IniFile } from './configobj.js';

export type ConfigLevel = 'system' | 'global' | 'repo' | 'local';
/** Lowest precedence first. */
export const CONFIG_LEVELS: readonly ConfigLevel[] = ['system', 'global', 'repo', 'local'];

/** Keys trove knows per section; `*` sections (remote "x") accept any key until a backend checks it. */
const KNOWN: Record<string, Set<string> | '*'> = {
  core: new Set(['remote', 'autostage', 'no_scm', 'check_update', 'interactive', 'hardlink_lock', 'analytics', 'site_cache_dir', 'loglevel']),
  cache: new Set(['dir', 'type', 'protected', 'shared', 'slow_link_warning', 'local', 's3', 'gs', 'ssh', 'hdfs', 'azure', 'webhdfs']),
  state: new Set(['row_limit', 'row_cleanup_quota', 'dir']),
  index: new Set(['dir']),
  feature: '*',
  plots: '*',
  exp: '*',
  parsing: '*',
  hydra: '*',
  studio: '*',
  db: '*',
};
const NAMED_SECTIONS = /^(remote|machine|db) "([^"]+)"$/;

export interface ConfigValue {
  value: string;
  level: ConfigLevel;
  file: string;
  line: number;
}

export function configFiles(dvcDir: string | undefined): Record<ConfigLevel, string | undefined> {
  const globalDir =
    process.env.DVC_GLOBAL_CONFIG_DIR ?? path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'dvc');
  const systemDir = process.env.DVC_SYSTEM_CONFIG_DIR ?? path.join((process.env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')[0]!, 'dvc');
  return {
    system: path.join(systemDir, 'config'),
    global: path.join(globalDir, 'config'),
    repo: dvcDir ? path.join(dvcDir, 'config') : undefined,
    local: dvcDir ? path.join(dvcDir, 'config.local') : undefined,
  };
}

function validate(ini: IniFile, file: string): TroveError[] {
  const problems: TroveError[] = [];
  for (const sec of ini.sections.values()) {
    const named = NAMED_SECTIONS.exec(sec.name);
    const known = named ? '*' : KNOWN[sec.name];
    if (!known) {
      problems.push(new FileFormatError(file, sec.line, `unknown section '${sec.name}'`, `known sections: ${Object.keys(KNOWN).join(', ')}, 'remote "name"'`));
      continue;
    }
    if (known === '*') continue;
    for (const [key, entry] of sec.entries) {
      if (!known.has(key)) {
        problems.push(new FileFormatError(file, entry.line, `unknown key '${key}' in section '${sec.name}'`, `known keys: ${[...known].join(', ')}`));
      }
    }
  }
  return problems;
}

/** The merged configuration of every level, each value remembering where it came from. */
export class Config {
  private constructor(
    readonly files: Record<ConfigLevel, string | undefined>,
    private readonly levels: Map<ConfigLevel, IniFile>,
  ) {}

  /**
   * Reads every level. `texts` stands in for the files of some levels (another repository's
   * `.dvc/config` read from git at a revision): a string is that level's text, null an empty level.
   */
  static load(dvcDir: string | undefined, texts: Partial<Record<ConfigLevel, string | null>> = {}): Config {
    const files = configFiles(dvcDir);
    const levels = new Map<ConfigLevel, IniFile>();
    const problems: TroveError[] = [];
    for (const level of CONFIG_LEVELS) {
      const file = files[level];
      if (!file) continue;
      const given = texts[level];
      const text = given === null ? undefined : given ?? readFileIfExists(file);
      if (text === undefined) continue;
      const shown = dvcDir && file.startsWith(path.dirname(dvcDir) + path.sep) ? path.relative(path.dirname(dvcDir), file) : file;
      try {
        const ini = parseIni(text, shown);
        problems.push(...validate(ini, shown));
        levels.set(level, ini);
      } catch (e) {
        if (e instanceof TroveError) problems.push(e);
        else throw e;
      }
    }
    throwCollected(problems, 'CONFIG_INVALID', () => 'configuration errors:', 'fix the lines named above, or use `trove config --unset`');
    return new Config(files, levels);
  }

  /** The effective value of `section.key`, or undefined. */
  get(section: string, key: string): ConfigValue | undefined {
    for (let i = CONFIG_LEVELS.length - 1; i >= 0; i--) {
      const level = CONFIG_LEVELS[i]!;
      const entry = this.levels.get(level)?.sections.get(section)?.entries.get(key);
      if (entry) return { value: entry.value, level, file: this.files[level]!, line: entry.line };
    }
    return undefined;
  }

  getAt(level: ConfigLevel, section: string, key: string): string | undefined {
    return this.levels.get(level)?.sections.get(section)?.entries.get(key)?.value;
  }

  /** Every effective `section.key = value`, for `config --list`. */
  list(level?: ConfigLevel): { section: string; key: string; value: string; level: ConfigLevel }[] {
    const merged = new Map<string, { section: string; key: string; value: string; level: ConfigLevel }>();
    for (const l of level ? [level] : CONFIG_LEVELS) {
      for (const sec of this.levels.get(l)?.sections.values() ?? []) {
        for (const [key, e] of sec.entries) merged.set(`${sec.name}\0${key}`, { section: sec.name, key, value: e.value, level: l });
      }
    }
    return [...merged.values()];
  }

  sectionNames(): string[] {
    const out = new Set<string>();
    for (const ini of this.levels.values()) for (const s of ini.sections.keys()) out.add(s);
    return [...out];
  }

  section(name: string): Map<string, ConfigValue> {
    const out = new Map<string, ConfigValue>();
    for (const level of CONFIG_LEVELS) {
      const sec = this.levels.get(level)?.sections.get(name);
      if (!sec) continue;
      for (const [key, e] of sec.entries) out.set(key, { value: e.value, level, file: this.files[level]!, line: e.line });
    }
    return out;
  }

  /** The entries of one section at one level only, or undefined when that level lacks it. */
  sectionAt(level: ConfigLevel, name: string): Map<string, ConfigValue> | undefined {
    const sec = this.levels.get(level)?.sections.get(name);
    if (!sec) return undefined;
    const out = new Map<string, ConfigValue>();
    for (const [key, e] of sec.entries) out.set(key, { value: e.value, level, file: this.files[level]!, line: e.line });
    return out;
  }

  /** A boolean value as DVC reads it (true/false/yes/no/1/0). */
  getBool(section: string, key: string): boolean | undefined {
    const v = this.get(section, key);
    if (!v) return undefined;
    const s = v.value.toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(s)) return true;
    if (['false', 'no', '0', 'off'].includes(s)) return false;
    throw new FileFormatError(v.file, v.line, `${section}.${key} must be true or false, not '${v.value}'`);
  }

  /** Writes one key at one level (value undefined removes it). Atomic. */
  static write(dvcDir: string | undefined, level: ConfigLevel, section: string, key: string, value: string | undefined): void {
    Config.edit(dvcDir, level, (text, file) => editIni(text, section, key, value, file));
  }

  /**
   * Several edits of one level's file as one atomic write: `edit` gets the text ('' when the file
   * does not exist) and returns the new text. Returns whether the file changed.
   */
  static edit(dvcDir: string | undefined, level: ConfigLevel, edit: (text: string, file: string) => string): boolean {
    const file = configFiles(dvcDir)[level];
    if (!file) throw new TroveError('NOT_A_REPO', `the ${level} config needs a repository`, { hint: 'use --global, or run inside a trove/DVC repository' });
    const text = readFileIfExists(file) ?? '';
    const next = edit(text, file);
    if (next === text) return false;
    // Keep the file's mode: a config.local holding secrets may have been made private (0600).
    const mode = fs.statSync(file, { throwIfNoEntry: false })?.mode;
    writeFileAtomic(file, next, mode === undefined ? undefined : mode & 0o7777);
    return true;
  }

  static validateKey(section: string, key: string): void {
    const named = NAMED_SECTIONS.exec(section);
    const known = named ? '*' : KNOWN[section];
    if (!known) throw new TroveError('CONFIG_UNKNOWN_KEY', `unknown config section '${section}'`, { hint: `known sections: ${Object.keys(KNOWN).join(', ')}`, exitCode: 1 });
    if (known !== '*' && !known.has(key)) {
      throw new TroveError('CONFIG_UNKNOWN_KEY', `unknown config key '${section}.${key}'`, { hint: `keys in '${section}': ${[...known].join(', ')}` });
    }
  }
}
