/** A GCS remote's options, every one checked and typed before the SDK is loaded. */
import fs from 'node:fs';
import { TroveError } from '../errors.js';
import { boolOption, bucketAndPrefix, displayUrl, intOption, refuseUnsupported } from './options.js';
import type { RemoteSpec } from './remote.js';

const DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

export interface GcsSettings {
  bucket: string;
  /** The url's path in the bucket, without slashes at either end ('' for the bucket's root). */
  prefix: string;
  projectId?: string;
  /** A service account key file. */
  keyFilename?: string;
  /** `endpointurl` as written (an emulator); the SDK's default when unset. */
  apiEndpoint?: string;
  /** Where requests go, for "not reachable" messages. */
  endpoint: string;
  /** allow_anonymous_login with neither credentialpath nor endpointurl: anonymous when there are no credentials. */
  anonymousFallback: boolean;
  jobs: number;
  verify: boolean;
}

/** `checkFiles: false`: leave out the check that credentialpath exists (config time). */
export function readGcsSettings(spec: RemoteSpec, opts: { checkFiles?: boolean } = {}): GcsSettings {
  refuseUnsupported(spec);
  const { bucket, prefix } = bucketAndPrefix(spec.url);
  const verify = boolOption(spec, 'verify', false);
  const jobs = intOption(spec, 'jobs', 16);
  const keyFilename = spec.options.credentialpath;
  const apiEndpoint = spec.options.endpointurl;
  if (opts.checkFiles !== false && keyFilename !== undefined && !fs.existsSync(keyFilename)) {
    const where = spec.origins?.credentialpath;
    throw new TroveError('CONFIG_INVALID', `${where ? `${where}: ` : ''}remote '${spec.name}': credentialpath '${keyFilename}' does not exist`, {
      hint: `point it at a service account key file: \`trove remote modify --local ${spec.name} credentialpath <file>\``,
    });
  }
  const anonymous = boolOption(spec, 'allow_anonymous_login', false);
  return {
    bucket,
    prefix,
    projectId: spec.options.projectname,
    keyFilename,
    apiEndpoint,
    endpoint: displayUrl(apiEndpoint ?? DEFAULT_ENDPOINT),
    anonymousFallback: anonymous && keyFilename === undefined && apiEndpoint === undefined,
    jobs,
    verify,
  };
}
