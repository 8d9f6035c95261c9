/** Directory quota calls: an operator sets and clears them (mempool quota); anyone may read one with its usage. */
import { Handlers } from '../../../transport';
import type { Manager } from '../manager';
import type { QuotaLimits } from '../quota';

/** Handlers for QuotaSet, QuotaGet and QuotaClear (the table lets only operators set and clear). */
export function quotaHandlers(m: Manager): Handlers {
  return {
    QuotaSet: ({ path, bytes, files }) => {
      // absent keeps a limit, null removes it
      const limits: Partial<QuotaLimits> = {};
      if (bytes !== undefined) limits.bytes = bytes;
      if (files !== undefined) limits.files = files;
      return { quota: m.ns.setQuota(path, limits) };
    },
    QuotaGet: ({ path }) => ({ quota: m.ns.getQuota(path) ?? undefined }),
    QuotaClear: ({ path }) => {
      m.ns.clearQuota(path);
      return {};
    },
  };
}
