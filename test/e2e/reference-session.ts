/**
 * DVC's reference session (fixtures/dvc-formats/outputs/00-session.log) rebuilt with trove, commit
 * for commit, so that trove's outputs can be compared with what DVC printed at the same points:
 *
 *   dvc init · add data · remote · pipeline v1 · pipeline v2 (lr 0.02) · pipeline v3 (split 0.5) · data v2
 *
 * The data are ours (DVC's files are not in the fixtures), so hashes differ from DVC's; paths,
 * statuses and metric values are the same. The pipeline is DVC's dvc.yaml with node stand-ins for
 * its two Python scripts, which compute what DVC's did: prepare puts the first `split` share of
 * data.csv's rows in prepared/test.csv and the rest in prepared/train.csv; train writes model.bin
 * and metrics.json with accuracy n*lr / (n*lr + 0.1), rounded to 4 digits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FORMATS, repo, type Sandbox } from './helpers.js';

/** What DVC printed for a golden: the lines between `$ command` and `[exit 0]`. */
export function golden(name: string): string {
  const lines = fs.readFileSync(path.join(FORMATS, 'outputs', name), 'utf8').split('\n');
  return `${lines.slice(1, lines.lastIndexOf('[exit 0]')).join('\n')}\n`;
}

/** A `--json` golden's text, without the trailing newline. */
export function goldenJsonText(name: string): string {
  return fs.readFileSync(path.join(FORMATS, 'outputs', name), 'utf8').trim();
}

export function goldenJson(name: string): unknown {
  return JSON.parse(goldenJsonText(name));
}

/** A file DVC wrote (fixtures/dvc-formats/). */
export const fixture = (name: string) => fs.readFileSync(path.join(FORMATS, name), 'utf8');

export function commit(s: Sandbox, message: string): void {
  s.git('add', '-A');
  s.git('commit', '-q', '-m', message);
}

const PREPARE = `import fs from 'node:fs';
const params = fs.readFileSync('params.yaml', 'utf8');
const split = Number(/split: (\\S+)/.exec(params)[1]);
const seed = Number(/seed: (\\S+)/.exec(params)[1]);
const [header, ...rows] = fs.readFileSync('data.csv', 'utf8').trim().split('\\n');
const nTest = Math.floor(rows.length * split);
fs.mkdirSync('prepared', { recursive: true });
fs.writeFileSync('prepared/test.csv', [header, ...rows.slice(0, nTest)].join('\\n') + '\\n');
fs.writeFileSync('prepared/train.csv', [header, ...rows.slice(nTest)].join('\\n') + '\\n');
console.log(\`prepare: split \${split} seed \${seed}\`);
`;

const TRAIN = `import fs from 'node:fs';
const params = fs.readFileSync('params.yaml', 'utf8');
const lr = Number(/lr: (\\S+)/.exec(params)[1]);
const epochs = Number(/epochs: (\\S+)/.exec(params)[1]);
const n = fs.readFileSync('prepared/train.csv', 'utf8').trim().split('\\n').length - 1;
const round = (x) => Math.round(x * 1e4) / 1e4;
const accuracy = round((n * lr) / (n * lr + 0.1));
fs.writeFileSync('model.bin', \`weights lr=\${lr} epochs=\${epochs} n=\${n}\\n\`);
fs.writeFileSync('metrics.json', JSON.stringify({ accuracy, loss: round(1 - accuracy), train: { n } }, null, 2));
console.log(\`train: lr \${lr} epochs \${epochs} n \${n}\`);
`;

/** data.csv with `n` rows below its header. */
function dataCsv(n: number): string {
  return `x,y\n${Array.from({ length: n }, (_, i) => `${i},${(i * 7) % 10}`).join('\n')}\n`;
}

/** Seeded bytes, different for each seed. */
function bytes(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The files of images/ in the first half of the session (crlf.txt and empty.txt hold what DVC's did). */
export const IMAGES_V1: Record<string, string | Buffer> = {
  'images/crlf.txt': 'line1\r\nline2\r\n',
  'images/img0.bin': bytes(0, 1000),
  'images/img1.bin': bytes(1, 1000),
  'images/img2.bin': bytes(2, 1000),
  'images/sub/empty.txt': '',
  'images/sub/note.txt': 'a note\n',
};

export const IMG3 = bytes(3, 1000);
export const NOTE_V2 = 'a note, edited\n';

export class ReferenceSession {
  readonly s: Sandbox;

  /** Step 1: `dvc init`, committed. */
  constructor() {
    this.s = repo();
  }

  /** Steps 1-5: data added, a default remote, the pipeline run: the commits up to "pipeline v1". */
  static atPipelineV1(): ReferenceSession {
    const r = new ReferenceSession();
    r.addData();
    r.addRemote();
    r.pipelineV1();
    return r;
  }

  commit(message: string): void {
    commit(this.s, message);
  }

  /** Step 2: data.csv and images/ (with a nested directory and an empty file), "add data". */
  addData(): void {
    this.s.writeAll({ 'data.csv': dataCsv(40), ...IMAGES_V1 });
    this.s.ok(['add', 'data.csv']);
    this.s.ok(['add', 'images']);
    this.commit('add data');
  }

  /** Step 3: a default local remote, "remote". */
  addRemote(): void {
    this.s.ok(['remote', 'add', '-d', 'local', path.join(this.s.base, 'remote')]);
    this.commit('remote');
  }

  /** Step 5: DVC's dvc.yaml (node stand-ins for its scripts) and params, run, "pipeline v1". */
  pipelineV1(): void {
    const dvcYaml = fixture('dvc.yaml').replace(/python3 (prepare|train)\.py/g, 'node $1.mjs').replace(/- (prepare|train)\.py/g, '- $1.mjs');
    this.s.writeAll({ 'dvc.yaml': dvcYaml, 'params.yaml': fixture('params.yaml.v1'), 'prepare.mjs': PREPARE, 'train.mjs': TRAIN });
    this.s.ok(['repro']);
    this.commit('pipeline v1');
  }

  /** Step 6: train.lr 0.01 -> 0.02 and train rerun, not committed (then "pipeline v2 (lr 0.02)"). */
  trainLr(): void {
    this.s.write('params.yaml', fixture('params.yaml.v2'));
    this.s.ok(['repro']);
  }

  /** Step 7: prepare.split 0.25 -> 0.5, both stages rerun, "pipeline v3 (split 0.5)". */
  prepareSplit(): void {
    this.s.write('params.yaml', fixture('params.yaml.v2').replace('split: 0.25', 'split: 0.5'));
    this.s.ok(['repro']);
    this.commit('pipeline v3 (split 0.5)');
  }

  /** Step 8, first half: a row more in data.csv, img2.bin deleted, img3.bin added, note.txt edited; nothing recorded yet. */
  changeData(): void {
    this.s.write('data.csv', dataCsv(41));
    fs.rmSync(this.s.abs('images/img2.bin'));
    this.s.writeAll({ 'images/img3.bin': IMG3, 'images/sub/note.txt': NOTE_V2 });
  }

  /** Step 8, second half: the data re-added, the pipeline rerun, "data v2". */
  recordData(): void {
    this.s.ok(['add', 'data.csv', 'images']);
    this.s.ok(['repro']);
    this.commit('data v2');
  }
}
