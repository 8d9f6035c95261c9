/** Directory quota calls: a client acting as root sets and clears them (mempool quota); anyone may read one with its usage. */
import { CallContext, Handlers } from '../../../transport';
import type { Manager } from '../manager';
import type { QuotaLimits } from '../quota';
import { mayManageQuotas } from '../access';

/** Handlers for QuotaSet, QuotaGet and QuotaClear: only a client acting as root (not squashed) sets or clears. */
export function quotaHandlers(m: Manager): Handlers {
  const admin = (ctx: CallContext, path: string): void => {
    mayManageQuotas(m.credOf(ctx), path);
  };
  return {
    QuotaSet: ({ path, bytes, files }, ctx) => {
      admin(ctx, path);
      // absent keeps a limit, null removes it
      const limits: Partial<QuotaLimits> = {};
      if (bytes !== undefined) limits.bytes = bytes;
      if (files !== undefined) limits.files = files;
      return { quota: m.ns.setQuota(path, limits) };
    },
    QuotaGet: ({ path }) => ({ quota: m.ns.getQuota(path) ?? undefined }),
    QuotaClear: ({ path }, ctx) => {
      admin(ctx, path);
      m.ns.clearQuota(path);
      return {};
    },
  };
}
