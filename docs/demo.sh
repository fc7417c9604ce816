#!/usr/bin/env bash
# The trove demo, run by `npm run demo` (after `npm run build`).
#
# It works in a fresh temporary directory and touches nothing else: git runs with its own identity
# and config, trove with its own global and system config, and the directory is deleted at the end
# (set KEEP_DEMO=1 to keep it and look around). It runs the data-versioning loop end to end (with a
# remote in a local directory, and a small pipeline) and checks every restored byte with sha256sum,
# so it exits non-zero if anything goes wrong.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/trove-demo.XXXXXX")"

cleanup() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    printf '\nDemo FAILED (exit %d). The work directory is kept: %s\n' "$rc" "$WORK" >&2
  elif [[ "${KEEP_DEMO:-}" == 1 ]]; then
    printf 'The work directory is kept: %s\n' "$WORK"
  else
    rm -rf -- "$WORK"
  fi
}
trap cleanup EXIT

# Isolation: nothing from the user's own git or DVC configuration leaks in, nothing leaks out.
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$HOME/.config"
export DVC_GLOBAL_CONFIG_DIR="$WORK/config/global"
export DVC_SYSTEM_CONFIG_DIR="$WORK/config/system"
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$HOME/.gitconfig"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com
mkdir -p "$HOME" "$DVC_GLOBAL_CONFIG_DIR" "$DVC_SYSTEM_CONFIG_DIR"
: >"$GIT_CONFIG_GLOBAL"

# The CLI from this checkout, never a global install.
trove() { node "$REPO/bin/trove.js" "$@"; }
git() { command git -c commit.gpgSign=false -c init.defaultBranch=main -c advice.detachedHead=false "$@"; }

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; else B='' G='' R='' N=''; fi
STEP=0
step() { STEP=$((STEP + 1)); printf '\n%s== %d. %s%s\n' "$B" "$STEP" "$*" "$N"; }
say() { printf '%s\n' "$*"; }
run() { # print the command (quoting arguments that need it), then run it
  local a line=''
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@%+,~-]+$ ]]; then line+=" $a"; else line+=" '$a'"; fi
  done
  printf '%s$%s%s\n' "$B" "$line" "$N"
  "$@"
}
ok() { printf '%sok%s  %s\n' "$G" "$N" "$*"; }
fail() { printf '%sFAIL%s  %s\n' "$R" "$N" "$*" >&2; exit 1; }

# A sorted sha256 list of every file under the given paths: two equal lists mean equal bytes
# and the same set of files (an extra or missing file changes the list too).
snapshot() { find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; }
same_as() { # same_as <saved snapshot> <paths...>
  local want="$1"; shift
  if diff -u "$want" <(snapshot "$@") >"$WORK/diff.txt"; then
    ok "$(wc -l <"$want") files match $(basename "$want") byte for byte (sha256)"
  else
    cat "$WORK/diff.txt" >&2
    fail "workspace differs from $(basename "$want")"
  fi
}

# Deterministic data: a seeded generator, so every run makes the same bytes.
# gen <seed> <version>: data/images/*.bin, data/labels.csv and model/model.bin
gen() {
  node - "$1" "$2" <<'JS'
const fs = require('node:fs');
const [seed, version] = process.argv.slice(2).map(Number);
let s = seed >>> 0;
const next = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return (t ^ (t >>> 14)) >>> 0; };
const bytes = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i += 4) b.writeUInt32LE(next(), i); return b; };
fs.mkdirSync('data/images', { recursive: true });
fs.mkdirSync('model', { recursive: true });
const images = version === 1 ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13];
for (const f of fs.readdirSync('data/images')) fs.rmSync(`data/images/${f}`);
for (const i of images) {
  const changed = version === 2 && i === 3; // v2 re-encodes image 3
  s = (seed * 1000 + i + (changed ? 500 : 0)) >>> 0;
  fs.writeFileSync(`data/images/img${String(i).padStart(3, '0')}.bin`, bytes(16 * 1024));
}
const rows = ['id,label,split'];
const n = version === 1 ? 400 : 460;
for (let i = 0; i < n; i++) rows.push(`${i},${['cat', 'dog', 'bird'][i % 3]},${i % 10 === 0 ? 'test' : 'train'}`);
fs.writeFileSync('data/labels.csv', rows.join('\n') + '\n');
s = (seed * 7919 + version) >>> 0; // a retrained model in v2
fs.writeFileSync('model/model.bin', bytes(96 * 1024));
JS
}

say "${B}trove demo${N}: the local data-versioning loop, in a temporary directory."
say "trove: $REPO/bin/trove.js ($(trove --version))"
say "work directory: $WORK"

step "A git repository, made a trove (and DVC) project"
mkdir "$WORK/project" && cd "$WORK/project"
run git init -q
run trove init
run git commit -q -m "Initialize trove"
ok "trove init staged .dvc/config, .dvc/.gitignore and .dvcignore, and git committed them"

step "Version 1 of a dataset and a model"
gen 42 1
say "Generated $(find data model -type f | wc -l) files, $(du -sk data model | awk '{s+=$1} END {print s}') KiB:"
run ls data data/images model
run trove add data model/model.bin
run cat data.dvc model/model.bin.dvc
run git add .gitignore data.dvc model/.gitignore model/model.bin.dvc
run git commit -q -m "Dataset and model v1"
snapshot data model/model.bin >"$WORK/v1.sha256"
want=$(awk '/md5:/ {print $3}' model/model.bin.dvc)
got=$(md5sum model/model.bin | cut -d' ' -f1)
[[ "$want" == "$got" ]] || fail "model.bin.dvc says md5 $want, the file has $got"
ok "model.bin.dvc records the file's md5 ($got), as DVC 3 does"
obj=".dvc/cache/files/md5/${got:0:2}/${got:2}"
[[ -f "$obj" ]] || fail "no cache object at $obj"
ok "its cache object is $obj (DVC 3's layout)"
run trove status

step "Change the data: more labels, one image re-encoded, one dropped, two new, a retrained model"
gen 42 2
run trove status
run trove status --json
echo

step "Record version 2"
run trove commit -f
run git commit -q -a -m "Dataset and model v2"
snapshot data model/model.bin >"$WORK/v2.sha256"
run git log --oneline
run trove status
say "What changed between the two commits, down to the files inside data/ (read from git and the cache):"
run trove diff HEAD~1 HEAD
run trove diff --stat HEAD~1 HEAD
diff_json=$(trove diff --json HEAD~1 HEAD)
[[ "$diff_json" == *'"deleted": [{"path": "data/images/img009.bin"}]'* ]] || fail "diff --json does not name the dropped image: $diff_json"
ok "diff names the dropped image, the new ones and the changed files"

step "Go back to version 1: the pointer files from git, the data from the cache"
run git checkout HEAD~1 -- data.dvc model/model.bin.dvc
run trove status
run trove checkout
same_as "$WORK/v1.sha256" data model/model.bin
run trove status

step "And forward to version 2 again"
run git checkout HEAD -- data.dvc model/model.bin.dvc
run trove checkout
same_as "$WORK/v2.sha256" data model/model.bin
[[ -z "$(command git status --porcelain)" ]] || fail "git status is not clean"
ok "git status is clean"

step "Garbage collection: what only version 1 uses (dry run, nothing is deleted)"
say "gc -A keeps what any commit uses, so nothing would go:"
run trove gc -A --dry
say "gc -w keeps only what the workspace's pointer files use, so version 1's objects would go:"
run trove gc -w --dry
before=$(find .dvc/cache -type f | wc -l)
say "Without -f, gc asks first, and refuses when there is no terminal to ask on:"
if trove gc -w </dev/null; then fail "gc without -f and without a terminal should refuse"; fi
after=$(find .dvc/cache -type f | wc -l)
[[ "$before" == "$after" ]] || fail "gc deleted objects without confirmation"
ok "the cache still holds all $after objects"

step "A remote: push the cache to a directory (S3 and GCS buckets work the same way)"
run trove remote add -d storage "$WORK/storage"
run git commit -q -a -m "Add a remote"
run trove push
run trove status -c
say "push sent what the workspace uses; -A (--all-commits) also sends what every commit uses:"
run trove push -A
run trove push -A
ok "a second push sends nothing: the remote already has every object"

step "A fresh clone gets the pointer files from git and the data from the remote"
run git clone -q "$WORK/project" "$WORK/clone"
cd "$WORK/clone"
run ls
run trove pull
same_as "$WORK/v2.sha256" data model/model.bin
say "Version 1's pointer files in the clone: pull fetches only what this clone lacks:"
run git checkout HEAD~2 -- data.dvc model/model.bin.dvc
run trove pull
same_as "$WORK/v1.sha256" data model/model.bin
run git checkout HEAD -- data.dvc model/model.bin.dvc
run trove checkout
same_as "$WORK/v2.sha256" data model/model.bin

step "A pipeline: stages in dvc.yaml, params in params.yaml, repro runs what is stale"
cd "$WORK/project"
printf 'train:\n  min_id: 100\n  label: cat\n' >params.yaml
run trove stage add -n prepare -d data/labels.csv -o train.csv "grep ',train\$' data/labels.csv > train.csv"
run trove stage add -n train -d train.csv -p train.min_id,train.label -o weights.txt -M metrics.json \
  'awk -F, -v min=${train.min_id} -v label=${train.label} '"'"'$1 >= min { n++; if ($2 == label) k++ } END { printf "%d %s\n", k, label > "weights.txt"; printf "{\"rows\": %d, \"share\": %.4f}\n", n, k / n > "metrics.json" }'"'"' train.csv'
run trove dag
run trove repro
run cat dvc.lock
run git add dvc.yaml dvc.lock params.yaml metrics.json .gitignore
run git commit -q -m "Pipeline: prepare, train"
run trove repro
ok "nothing changed, so nothing ran"
say "Change one param: only the stage that reads it runs, and repro says why:"
sed -i 's/min_id: 100/min_id: 200/' params.yaml
run trove status
run trove repro
run trove params diff
run trove metrics diff
run git commit -q -a -m "Train on ids from 200"
run trove push
say "Back to the first params: the earlier run is in the run-cache, so repro restores instead of running:"
sed -i 's/min_id: 200/min_id: 100/' params.yaml
run trove repro
run git checkout -q -- params.yaml dvc.lock metrics.json
say "The git-tracked files are back at the commit; checkout brings the outputs dvc.lock names:"
run trove checkout
run trove status
[[ -z "$(command git status --porcelain)" ]] || fail "git status is not clean"
ok "workspace, dvc.lock and git agree"

printf '\n%sDemo OK%s: init, add, status, commit, diff and checkout of two versions, gc --dry, push and pull through a remote, and a pipeline with its run-cache, all verified.\n' "$G$B" "$N"
