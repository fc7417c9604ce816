/**
 * An S3 remote's options, every one checked and typed before the SDK is loaded. Accepted but not
 * acted on: listobjects, cache_regions, configpath, sse_customer_*, allow_anonymous_login,
 * checksum_jobs, no_traverse (and version_aware/worktree when false).
 */
import fs from 'node:fs';
import type https from 'node:https';
import os from 'node:os';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import { TroveError } from '../errors.js';
import { boolOption, bucketAndPrefix, enumOption, intOption, invalidOption, secondsOption, refuseUnsupported } from './options.js';
import type { RemoteSpec } from './remote.js';

type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
type UploadExtras = Pick<
  PutObjectCommandInput,
  'ServerSideEncryption' | 'SSEKMSKeyId' | 'ACL' | 'GrantRead' | 'GrantReadACP' | 'GrantWriteACP' | 'GrantFullControl'
>;

/** botocore's defaults, which DVC users get. */
const DEFAULT_TIMEOUT_MS = 60_000;
const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;

export interface S3Settings {
  bucket: string;
  /** The url's path in the bucket, without slashes at either end ('' for the bucket's root). */
  prefix: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  credentialPath?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  tls: boolean;
  httpsAgent?: https.AgentOptions;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  requestChecksum?: ChecksumMode;
  responseChecksum?: ChecksumMode;
  uploadExtras: UploadExtras;
  jobs: number;
  verify: boolean;
}

function expandHome(p: string): string {
  return p.replace(/^~(?=$|[/\\])/, os.homedir());
}

/** Every option checked and typed, before any SDK is loaded. */
export function readS3Settings(spec: RemoteSpec): S3Settings {
  const o = spec.options;
  refuseUnsupported(spec);
  const { bucket, prefix } = bucketAndPrefix(spec.url);
  const tls = boolOption(spec, 'use_ssl', true);
  const endpoint = endpointOf(spec, tls);
  // S3-compatible stores get the safe mode, unless the user chose one the AWS way (environment).
  const checksumDefault = (envKey: string): ChecksumMode | undefined => (endpoint && !process.env[envKey] ? 'WHEN_REQUIRED' : undefined);
  return {
    bucket,
    prefix,
    endpoint,
    region: o.region?.trim() || undefined,
    profile: o.profile?.trim() || undefined,
    credentialPath: o.credentialpath ? expandHome(o.credentialpath.trim()) : undefined,
    credentials: staticCredentials(spec),
    tls,
    httpsAgent: tlsOptions(spec),
    connectTimeoutMs: secondsOption(spec, 'connect_timeout') ?? DEFAULT_TIMEOUT_MS,
    readTimeoutMs: secondsOption(spec, 'read_timeout') ?? DEFAULT_TIMEOUT_MS,
    requestChecksum: checksumMode(spec, 'request_checksum_calculation') ?? checksumDefault('AWS_REQUEST_CHECKSUM_CALCULATION'),
    responseChecksum: checksumMode(spec, 'response_checksum_validation') ?? checksumDefault('AWS_RESPONSE_CHECKSUM_VALIDATION'),
    uploadExtras: uploadExtras(spec),
    jobs: intOption(spec, 'jobs', 16),
    verify: boolOption(spec, 'verify', false),
  };
}

function endpointOf(spec: RemoteSpec, tls: boolean): string | undefined {
  const raw = spec.options.endpointurl?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${tls ? 'https' : 'http'}://${raw}`);
  } catch {
    throw invalidOption(spec, 'endpointurl', 'a url such as https://minio.example.com:9000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidOption(spec, 'endpointurl', 'an http:// or https:// url');
  if (!tls) url.protocol = 'http:';
  return url.toString().replace(/\/$/, '');
}

function staticCredentials(spec: RemoteSpec): S3Settings['credentials'] {
  const { access_key_id: id, secret_access_key: secret, session_token: token } = spec.options;
  if (!id && !secret) {
    if (token) throw invalidOption(spec, 'session_token', 'set together with access_key_id and secret_access_key');
    return undefined;
  }
  if (!id) throw invalidOption(spec, 'access_key_id', 'set when secret_access_key is');
  if (!secret) throw invalidOption(spec, 'secret_access_key', 'set when access_key_id is');
  return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
}

/** DVC's ssl_verify: true, false, or the path of a CA bundle. */
function tlsOptions(spec: RemoteSpec): https.AgentOptions | undefined {
  const v = spec.options.ssl_verify?.trim();
  if (v === undefined || ['true', 'yes', '1', 'on'].includes(v.toLowerCase())) return undefined;
  if (['false', 'no', '0', 'off'].includes(v.toLowerCase())) return { rejectUnauthorized: false };
  try {
    return { ca: fs.readFileSync(expandHome(v)) };
  } catch {
    throw invalidOption(spec, 'ssl_verify', `true, false or the path of a readable CA bundle, not '${v}'`);
  }
}

function checksumMode(spec: RemoteSpec, key: string): ChecksumMode | undefined {
  return enumOption(spec, key, ['when_supported', 'when_required'] as const)?.toUpperCase() as ChecksumMode | undefined;
}

function uploadExtras(spec: RemoteSpec): UploadExtras {
  const o = spec.options;
  const sseOption = enumOption(spec, 'sse', ['aes256', 'aws:kms', 'aws:kms:dsse'] as const);
  const sse = sseOption === 'aes256' ? 'AES256' : (sseOption ?? (o.sse_kms_key_id ? 'aws:kms' : undefined));
  if (o.sse_kms_key_id && sse === 'AES256') throw invalidOption(spec, 'sse', 'aws:kms or aws:kms:dsse when sse_kms_key_id is set');
  const grants = {
    GrantRead: o.grant_read,
    GrantReadACP: o.grant_read_acp,
    GrantWriteACP: o.grant_write_acp,
    GrantFullControl: o.grant_full_control,
  };
  const acl = enumOption(spec, 'acl', CANNED_ACLS);
  if (acl && Object.values(grants).some(Boolean)) throw invalidOption(spec, 'acl', 'left unset when a grant_* key is set (S3 takes one or the other)');
  const extras: UploadExtras = { ServerSideEncryption: sse, SSEKMSKeyId: o.sse_kms_key_id, ACL: acl, ...grants };
  return Object.fromEntries(Object.entries(extras).filter(([, v]) => v)) as UploadExtras;
}
