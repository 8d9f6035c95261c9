/** The benchmark suites `npm run bench -- NAME` knows; adding a suite is one line here. */
import { runCore } from './core';
import { runFs } from './fs';
import { runCoherence } from './coherence';
import { runEtcdLog } from './etcd-log';
import { runManager } from './manager';
import { runHeal } from './heal';

/** A named benchmark suite. */
export interface Suite {
  description: string;
  run(): Promise<void>;
}

/** Every suite, in the order `all` runs them. */
export const suites: Record<string, Suite> = {
  core: { description: 'PoolClient data/metadata throughput vs raw ws', run: runCore },
  fs: { description: 'mempool mount vs tmpfs vs a bare fuse-native ceiling: dd, fio, metadata, untar', run: runFs },
  'etcd-log': { description: 'etcd metadata log: group-committed append throughput and latency (tmpfs and disk data dir)', run: runEtcdLog },
  manager: { description: 'metadata ops/s (create, stat, rename, unlink; 1 and 16 clients) without and with the local journal', run: runManager },
  coherence: { description: 'two mounts on one pool: cached re-read, lease recall latency, round trips, two appenders', run: runCoherence },
  heal: { description: 'placement µs/chunk at 10-1,000 nodes, time to restore R after losing a node, drain throughput, latency during a link cut', run: runHeal },
};
