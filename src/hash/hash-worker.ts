import { parentPort } from 'node:worker_threads';
import { runHashTask, type HashTask } from './tasks.js';

parentPort!.on('message', (msg: { id: number; tasks: HashTask[] }) => {
  parentPort!.postMessage({ id: msg.id, results: msg.tasks.map(runHashTask) });
});
