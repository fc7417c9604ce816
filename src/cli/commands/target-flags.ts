import { Option } from 'commander';

/** The flags of DVC's data commands that widen what the targets name (see ops/targets.ts). */
export interface TargetFlags {
  withDeps?: boolean;
  recursive?: boolean;
}

/** `-d/--with-deps` (`verb`: what the command does to them, e.g. 'also restore the outputs of') and `-R/--recursive`. */
export function targetOptions(verb: string): Option[] {
  return [
    new Option('-d, --with-deps', `${verb} the stages (and .dvc files) that the target stages depend on`),
    new Option('-R, --recursive', `a directory target means every .dvc file and dvc.yaml stage under it`),
  ];
}

/** What the targets may be, for the `[targets...]` argument. */
export const TARGETS_ARGUMENT = 'pointer files, outputs or paths inside them, stages (`train`, `sub/dvc.yaml:train`), dvc.yaml files';

/** A paragraph for `--help`: the kinds of target, said once the same way for every data command. */
export const TARGETS_HELP = `
Targets: a .dvc file or the output it tracks; a stage (\`train\` in ./dvc.yaml, \`train@key\`,
a foreach name for all its stages, \`sub/dvc.yaml:train\`); a dvc.yaml (all its stages); an output
of a stage as dvc.lock records it; a path inside a tracked directory. A bare name is a stage
before it is a path. -d adds what stage and .dvc-file targets depend on (not for a path).`;
