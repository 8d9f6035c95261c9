/** The manager's answers to QuotaSet / QuotaGet / QuotaClear: field checks at the edge, then the namespace's quota calls. */
import { FsError } from '../errors';
import { Meta, Msg, Reply, Role } from '../../transport';
import { str, uint } from '../../transport/fields';
import type { Namespace } from './namespace';
import type { QuotaLimits } from './quota';

/** Longest path a quota call names (as the other namespace calls). */
const PATH = 4096 + 16;

/** A limit field: absent keeps the old value, null removes the limit, else bytes or files. */
function limit(m: Meta, key: string): number | null | undefined {
  if (m[key] === undefined) return undefined;
  if (m[key] === null) return null;
  return uint(m, key);
}

/** True for the quota message types. */
export function isQuotaMsg(type: number): boolean {
  return type === Msg.QuotaSet || type === Msg.QuotaGet || type === Msg.QuotaClear;
}

/** Serves one quota call; setting and clearing are for operators (the CLI), not for mounts. */
export function serveQuota(ns: Namespace, role: Role, type: number, m: Meta): Reply | void {
  const path = str(m, 'path', PATH);
  if (type === Msg.QuotaGet) return { meta: { quota: ns.getQuota(path) } };
  if (role !== 'operator') throw new FsError('EPERM', 'quotas are set by an operator (mempool quota)');
  if (type === Msg.QuotaClear) {
    ns.clearQuota(path);
    return;
  }
  const limits: Partial<QuotaLimits> = {};
  const bytes = limit(m, 'bytes');
  const files = limit(m, 'files');
  if (bytes !== undefined) limits.bytes = bytes;
  if (files !== undefined) limits.files = files;
  return { meta: { quota: ns.setQuota(path, limits) } };
}
