import type { Command } from 'commander';
import type { ConfigLevel } from '../../repo/config/config.js';
import { run } from '../context.js';
import { EXIT } from '../errors.js';
import { err, out, outJson } from '../output.js';
import { addLevelOptions, levelOf } from './config.js';

interface Flags {
  global?: boolean;
  system?: boolean;
  project?: boolean;
  local?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** The level names users type (--project), not the internal ones. */
function levelWord(level: ConfigLevel): string {
  return level === 'repo' ? 'project' : level;
}

/** The subcommand's options with `remote`'s own (-q/-v typed after the subcommand land there). */
function flagsOf<T = object>(cmd: Command): Flags & T {
  return cmd.optsWithGlobals<Flags & T>();
}

function sub(parent: Command, name: string, description: string): Command {
  const cmd = parent.command(name).description(description);
  addLevelOptions(cmd);
  return cmd.option('-q, --quiet', 'print nothing but results and errors').option('-v, --verbose', 'print debug information and stack traces');
}

export function registerRemote(program: Command): Command {
  const remote = program
    .command('remote')
    .description('Set up remote storage: add, modify, list, remove, rename, and pick the default remote.')
    .addHelpText(
      'after',
      `
A remote is where push sends cache objects and where fetch and pull get them, in DVC 3's layout
(files/md5/xx/...). Remotes live in DVC's config files, as ['remote "name"'] sections: the project
config (.dvc/config, committed) by default; --local (.dvc/config.local, not committed) is the place
for credentials.

Examples:
  # a directory (a relative path is stored relative to .dvc/, as DVC stores it)
  trove remote add -d storage /mnt/shared/dvc-storage

  # S3, or an S3-compatible store such as MinIO: the endpoint in the project, the keys local
  trove remote add -d s3store s3://my-bucket/dvc
  trove remote modify s3store endpointurl http://localhost:9000
  trove remote modify --local s3store access_key_id AKIA...
  trove remote modify --local s3store secret_access_key ...

  # Google Cloud Storage
  trove remote add gcs gs://my-bucket/dvc
  trove remote modify gcs projectname my-project
  trove remote modify --local gcs credentialpath ~/keys/service-account.json

  trove remote list
  trove remote default gcs
  trove push -r gcs`,
    );

  sub(remote, 'add', 'Add a remote (to .dvc/config unless a level is given).')
    .argument('<name>', 'name of the remote (DVC lower-cases it)')
    .argument('<url>', 'a directory, file://, s3://bucket/path or gs://bucket/path')
    .option('-d, --default', 'make it the default remote')
    .option('-f, --force', 'replace a remote of that name (its other options are dropped)')
    .addHelpText('after', '\nExamples:\n  trove remote add -d storage /mnt/shared/dvc-storage\n  trove remote add -d s3store s3://my-bucket/dvc\n  trove remote add gcs gs://my-bucket/dvc')
    .action(async (name: string, url: string, _o: unknown, cmd: Command) => {
      const o = flagsOf<{ default?: boolean; force?: boolean }>(cmd);
      return run(o, async (io) => {
        const { remoteAdd } = await import('../../ops/remote.js');
        const r = remoteAdd({ cwd: process.cwd(), name, url, default: o.default, force: o.force, level: levelOf(o) });
        for (const w of r.warnings) io.reporter.warn(w);
        if (r.default) io.reporter.info(`Setting '${r.name}' as a default remote.`);
      });
    });

  sub(remote, 'modify', 'Set (or --unset) an option of a remote.')
    .argument('<name>', 'name of the remote')
    .argument('<option>', 'option name, e.g. url, jobs, verify, endpointurl, region, projectname')
    .argument('[value]', 'new value')
    .option('-u, --unset', 'remove the option')
    .addHelpText(
      'after',
      `
Options every remote takes: url, jobs, verify, checksum_jobs, no_traverse, worktree, version_aware.
S3 also: endpointurl (MinIO and other S3-compatible stores), region, profile, credentialpath,
  access_key_id, secret_access_key, session_token, use_ssl, ssl_verify, sse, acl, read_timeout...
GCS also: projectname, credentialpath, endpointurl, allow_anonymous_login.
Secrets (access_key_id, secret_access_key, session_token, sse_customer_key) belong in --local.

Examples:
  trove remote modify storage jobs 4
  trove remote modify s3store endpointurl http://localhost:9000
  trove remote modify --local s3store secret_access_key ...
  trove remote modify --unset storage verify`,
    )
    .action(async (name: string, option: string, value: string | undefined, _o: unknown, cmd: Command) => {
      const o = flagsOf<{ unset?: boolean }>(cmd);
      return run(o, async (io) => {
        const { remoteModify } = await import('../../ops/remote.js');
        const r = await remoteModify({ cwd: process.cwd(), name, option, value, unset: o.unset, level: levelOf(o) });
        for (const w of r.warnings) io.reporter.warn(w);
        if (o.unset && !r.changed) io.reporter.info(`'${r.option}' was not set for remote '${r.name}' in ${r.file}: nothing to unset`);
      });
    });

  sub(remote, 'list', 'List remotes: name and url, one per line.')
    .option('--json', 'print JSON: [{name, url, level, default}], sorted by name')
    .addHelpText(
      'after',
      '\nWithout a level, every config file is read (system, global, project, local; the later wins).' +
        '\n\nExamples:\n  trove remote list\n  trove remote list --local    # only .dvc/config.local',
    )
    .action(async (_o: unknown, cmd: Command) => {
      const o = flagsOf<{ json?: boolean }>(cmd);
      return run(o, async () => {
        const { remoteList } = await import('../../ops/remote.js');
        const { displayUrl } = await import('../../remote/options.js');
        const { remotes } = remoteList({ cwd: process.cwd(), level: levelOf(o) });
        if (o.json) {
          const sorted = [...remotes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          outJson(sorted.map((r) => ({ name: r.name, url: displayUrl(r.url), level: levelWord(r.level), default: r.default })));
        } else for (const r of remotes) out(`${r.name}\t${displayUrl(r.url)}`);
      });
    });

  sub(remote, 'remove', 'Remove a remote (and core.remote where it names it).')
    .argument('<name>', 'name of the remote')
    .addHelpText('after', '\nThe objects stored in the remote are not touched.\n\nExample:\n  trove remote remove storage')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const o = flagsOf(cmd);
      return run(o, async (io) => {
        const { remoteRemove } = await import('../../ops/remote.js');
        const r = remoteRemove({ cwd: process.cwd(), name, level: levelOf(o) });
        if (r.removedFrom.length > 1) io.reporter.info(`Removed remote '${r.name}' from ${r.removedFrom.join(', ')}.`);
        if (r.defaultUnset.length > 0) io.reporter.info(`'${r.name}' is no longer the default remote (${r.defaultUnset.join(', ')}).`);
        for (const f of r.stillDefinedIn) io.reporter.warn(`remote '${r.name}' is still defined in ${f}`);
      });
    });

  sub(remote, 'rename', 'Rename a remote (and core.remote where it names it).')
    .argument('<name>', 'current name')
    .argument('<new>', 'new name')
    .addHelpText('after', '\nExample:\n  trove remote rename storage backup')
    .action(async (name: string, newName: string, _o: unknown, cmd: Command) => {
      const o = flagsOf(cmd);
      return run(o, async (io) => {
        const { remoteRename } = await import('../../ops/remote.js');
        const r = remoteRename({ cwd: process.cwd(), name, newName, level: levelOf(o) });
        if (r.renamedIn.length > 1) io.reporter.info(`Renamed remote '${r.name}' to '${r.newName}' in ${r.renamedIn.join(', ')}.`);
      });
    });

  sub(remote, 'default', 'Print the default remote, set it, or --unset it.')
    .argument('[name]', 'remote to make the default')
    .option('-u, --unset', 'remove the default remote setting')
    .option('--json', 'when printing: {"default": name or null}')
    .addHelpText('after', '\nExamples:\n  trove remote default\n  trove remote default storage\n  trove remote default --unset')
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => {
      const o = flagsOf<{ unset?: boolean; json?: boolean }>(cmd);
      return run(o, async () => {
        const { remoteDefault } = await import('../../ops/remote.js');
        const r = remoteDefault({ cwd: process.cwd(), name, unset: o.unset, level: levelOf(o) });
        if (name !== undefined || o.unset) return EXIT.ok;
        if (o.json) {
          outJson({ default: r.name ?? null });
          return EXIT.ok;
        }
        if (r.name === undefined) {
          err('No default remote set');
          return EXIT.failed;
        }
        out(r.name);
        return EXIT.ok;
      });
    });

  return remote;
}
