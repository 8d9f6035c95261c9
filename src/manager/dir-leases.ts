/**
 * Directory leases: a client holding a READ lease on a directory may answer lookups (negative ones included),
 * stats and listings of its entries, and the directory's own attributes, from what it fetched. A change by another
 * client to an entry (create, unlink, rename in or out, link, symlink, mkdir, rmdir) or to the attributes of the
 * directory or of an entry (chmod, chown, times, xattrs, size) recalls every other holder after the change is
 * applied and before it is answered: the change waits for the recall's answer or the holder's term + margin, as for
 * file leases. Leases are volatile and have no grace after a restart: clients drop what they cached when their link
 * to the manager drops, so a new manager owes them nothing.
 */
import { LeaseMode, LeaseTable } from './lease-table';

/** One change: a directory, and the entry name that changed in it (undefined: attributes, or anything). */
export interface DirChange {
  dir: number;
  name?: string;
}

export interface DirLeaseOptions {
  termMs: number;
  marginMs: number;
  /** Tells a holder to drop its cache of dir (names: the entries that changed, when known); resolves on its answer. */
  recall: (client: string, dir: number, names: string[] | undefined) => Promise<void>;
}

/** The manager's directory leases. */
export class DirLeases {
  readonly table: LeaseTable;
  /** Entry names of the changes in flight per directory (undefined: a change of unknown extent). */
  private readonly pending = new Map<number, Set<Array<string | undefined>>>();

  constructor(private readonly opts: DirLeaseOptions) {
    this.table = new LeaseTable({
      termMs: opts.termMs,
      marginMs: opts.marginMs,
      recall: (client, dir) => opts.recall(client, dir, this.namesFor(dir)),
      fence: async () => undefined, // READ leases only: nothing to fence
    });
  }

  /** Grants client a READ lease on dir (cached false while the directory is contended: then cache nothing). */
  async acquire(dir: number, client: string): Promise<{ cached: boolean; termMs: number }> {
    const g = await this.table.acquire(dir, client, LeaseMode.Read);
    return { cached: g.cached, termMs: g.termMs };
  }

  /** Heartbeat: extends client's leases, returns those it no longer holds. */
  renew(client: string, dirs: number[]): number[] {
    return this.table.renew(client, dirs);
  }

  release(dir: number, client: string): void {
    this.table.release(dir, client);
  }

  /** Changes made by client (null: the manager itself) are applied: recalls every other holder of the directories involved, in parallel. */
  async changed(client: string | null, changes: readonly DirChange[]): Promise<void> {
    const byDir = new Map<number, Array<string | undefined>>();
    for (const c of changes) {
      const l = byDir.get(c.dir) ?? [];
      l.push(c.name);
      byDir.set(c.dir, l);
    }
    await Promise.all(
      [...byDir].map(async ([dir, names]) => {
        const inFlight = this.pending.get(dir) ?? new Set();
        this.pending.set(dir, inFlight);
        inFlight.add(names);
        try {
          await this.table.settle(dir, client, false);
        } finally {
          inFlight.delete(names);
          if (inFlight.size === 0 && this.pending.get(dir) === inFlight) this.pending.delete(dir);
        }
      }),
    );
  }

  /** A directory that no longer exists. */
  forget(dir: number): void {
    this.table.forget(dir);
  }

  private namesFor(dir: number): string[] | undefined {
    const out = new Set<string>();
    for (const names of this.pending.get(dir) ?? []) {
      for (const n of names) {
        if (n === undefined) return undefined;
        out.add(n);
      }
    }
    return out.size > 0 ? [...out] : undefined;
  }
}
