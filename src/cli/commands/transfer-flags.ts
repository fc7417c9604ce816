import { InvalidArgumentError, Option } from 'commander';

export interface TransferFlags {
  remote?: string;
  jobs?: number;
  quiet?: boolean;
  verbose?: boolean;
}

export function jobsOption(description = 'transfers to run at once (default: the remote\'s `jobs`, else 8 local / 16 cloud)'): Option {
  return new Option('-j, --jobs <n>', description).argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a positive whole number');
    return n;
  });
}

export interface HistoryFlags {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
}

/** `-a`, `-T`, `-A`: the data of other git revisions too (`verb`: "push", "fetch", "check"). */
export function historyOptions(verb: string): Option[] {
  return [
    new Option('-a, --all-branches', `also ${verb} the data of the tip of every git branch`),
    new Option('-T, --all-tags', `also ${verb} the data of every git tag`),
    new Option('-A, --all-commits', `also ${verb} the data of every git commit`),
  ];
}

/** The revision selection of `-a`, `-T`, `-A`, as ops take it. */
export function historyScope(o: HistoryFlags): HistoryFlags {
  return { allBranches: o.allBranches, allTags: o.allTags, allCommits: o.allCommits };
}
