/** DVC 3's object layout: `<root>/files/md5/<2 hex>/<30 hex>[.dir]`, with `root` the cache dir. */
export function objectPath(filesRoot: string, oid: string): string {
  return `${filesRoot}/${oid.slice(0, 2)}/${oid.slice(2)}`;
}

/** Where new-style (`hash: md5`) objects live under a cache or remote root. */
export function filesRootOf(cacheDir: string): string {
  return `${cacheDir}/files/md5`;
}

const OID = /^[0-9a-f]{32}(\.dir)?$/;
export function isValidOid(oid: string): boolean {
  return OID.test(oid);
}

export function isDirOid(oid: string): boolean {
  return oid.endsWith('.dir');
}
