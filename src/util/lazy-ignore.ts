import { createRequire } from 'node:module';
import type { Ignore, Options } from 'ignore';

type IgnoreFactory = (options?: Options) => Ignore;
let factory: IgnoreFactory | undefined;

/** The `ignore` library, loaded only when some ignore file has a rule (it costs ~15 ms to load). */
export function ignore(options?: Options): Ignore {
  factory ??= createRequire(import.meta.url)('ignore') as IgnoreFactory;
  return factory(options);
}
