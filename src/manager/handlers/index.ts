/** The manager's message handlers, one module per group of messages. */
import { Handlers } from '../../../transport';
import type { Manager } from '../manager';
import { fileHandlers } from './files';
import { layoutHandlers } from './layout';
import { leaseHandlers } from './leases';
import { lockHandlers } from './locks';
import { dirHandlers } from './dirs';
import { namespaceHandlers } from './namespace';
import { quotaHandlers } from './quotas';
import { statusHandlers } from './status';
import { xattrHandlers } from './xattrs';

export { nodeHandlers } from './status';

/** Every handler a client or operator link is served by (the table's roles decide who may send what). */
export function clientHandlers(m: Manager): Handlers {
  return {
    ...namespaceHandlers(m),
    ...fileHandlers(m),
    ...xattrHandlers(m),
    ...leaseHandlers(m),
    ...layoutHandlers(m),
    ...statusHandlers(m),
    ...quotaHandlers(m),
    ...lockHandlers(m),
    ...dirHandlers(m),
  };
}
