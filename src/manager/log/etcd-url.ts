/**
 * Parses the manager's `--meta etcd://HOST:PORT[,HOST:PORT...]/PREFIX` into the
 * client URLs of the etcd members and the key prefix every manager of one pool shares.
 */

/** Where the replicated metadata lives: etcd client endpoints and the key prefix of this pool. */
export interface EtcdTarget {
  /** Client URLs of the etcd members, e.g. http://10.0.0.1:2379. */
  endpoints: string[];
  /** Key prefix without leading or trailing slash (e.g. "mempool/prod"); every key of this pool is under "PREFIX/". */
  prefix: string;
}

/** A malformed etcd:// URL; the message says what is wrong. */
export class EtcdUrlError extends Error {
  constructor(url: string, why: string) {
    super(`bad etcd URL "${url}": ${why} (expected etcd://HOST:PORT[,HOST:PORT...]/PREFIX)`);
    this.name = 'EtcdUrlError';
  }
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Checks one HOST:PORT (IPv6 in brackets) and returns it unchanged. */
function parseHostPort(url: string, hp: string): string {
  const colon = hp.lastIndexOf(':');
  if (colon <= 0) throw new EtcdUrlError(url, `"${hp}" needs HOST:PORT`);
  const host = hp.slice(0, colon);
  const port = hp.slice(colon + 1);
  if (!HOSTNAME.test(host) && !IPV6.test(host)) throw new EtcdUrlError(url, `"${host}" is not a host name or address`);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new EtcdUrlError(url, `"${port}" is not a port (1-65535)`);
  return `${host}:${port}`;
}

/** Parses etcd://HOST:PORT[,HOST:PORT...]/PREFIX; throws EtcdUrlError with the reason for anything else. */
export function parseEtcdUrl(url: string): EtcdTarget {
  const scheme = 'etcd://';
  if (!url.startsWith(scheme)) throw new EtcdUrlError(url, 'must start with etcd://');
  const rest = url.slice(scheme.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw new EtcdUrlError(url, 'missing /PREFIX (the key prefix of this pool)');
  const hosts = rest.slice(0, slash);
  const prefix = rest.slice(slash + 1).replace(/\/+$/, '');
  if (hosts === '') throw new EtcdUrlError(url, 'no HOST:PORT');
  const members = hosts.split(',');
  if (members.some((m) => m === '')) throw new EtcdUrlError(url, 'empty HOST:PORT in the list');
  const endpoints = [...new Set(members.map((m) => parseHostPort(url, m)))].map((hp) => `http://${hp}`);
  if (prefix === '') throw new EtcdUrlError(url, 'empty PREFIX');
  const segments = prefix.split('/');
  for (const s of segments) {
    if (!PREFIX_SEGMENT.test(s) || s === '.' || s === '..') throw new EtcdUrlError(url, `prefix segment "${s}" may only hold letters, digits, ".", "_" and "-"`);
  }
  return { endpoints, prefix };
}

/** Formats a target back as etcd://… (for logs and status). */
export function formatEtcdUrl(t: EtcdTarget): string {
  return `etcd://${t.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}/${t.prefix}`;
}
