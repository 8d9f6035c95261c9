/** The benchmark suites `npm run bench -- NAME` knows; adding a suite is one line here. */
import { runCore } from './core';
import { runFs } from './fs';
import { runCoherence } from './coherence';
import { runEtcdLog } from './etcd-log';
import { runManager } from './manager';
import { runDirLease } from './dir-lease';
import { runHeal } from './heal';

/** A named benchmark suite. */
export interface Suite {
  description: string;
  run(): Promise<void>;
}

/** Every suite, in the order `all` runs them. */
export const suites: Record<string, Suite> = {
  core: { description: 'PoolClient data/metadata throughput vs raw ws', run: runCore },
  fs: { description: 'mempool mount vs tmpfs: dd, fio, metadata, untar', run: runFs },
  'etcd-log': { description: 'etcd metadata log: group-committed append throughput and latency (tmpfs and disk data dir)', run: runEtcdLog },
  manager: { description: 'metadata ops/s (1 and 16 clients) volatile, journal, etcd; takeover p50/max over 10 kills; manager RSS per 100k files', run: runManager },
  dirlease: { description: 'stat of 10,000 files in one directory through PoolClient, without and with the directory lease', run: runDirLease },
  coherence: { description: 'two mounts on one pool: cached re-read, lease recall latency, round trips, two appenders', run: runCoherence },
  heal: { description: 'placement µs/chunk at 10-1,000 nodes, time to restore R after losing a node, drain throughput, latency during a link cut', run: runHeal },
};
