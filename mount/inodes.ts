/**
 * The mount's inode table: which pool inode each kernel node id is (they are
 * the same number: the pool's st_ino, which never repeats, so generation 0),
 * the name it was last seen under (parent and name, so that a path can be
 * built for the path-based PoolClient), and how many lookups the kernel
 * holds on it (FORGET drops them). Rename, unlink and rmdir through this
 * mount update it; a change by another client is seen at the next lookup,
 * which the kernel sends on every path walk while entry timeouts are 0.
 */
import { FsError } from '../src/errors';

/** The root's node id (FUSE's and the pool's). */
export const ROOT_INO = 1;

interface Node {
  ino: number;
  parent: number;
  /** Byte string; null once the name was removed (open but unlinked, or removed directory). */
  name: string | null;
  nlookup: number;
  /** Last st_mode seen (for SUID/SGID clearing and readdir types). */
  mode: number;
}

const key = (parent: number, name: string) => `${parent}/${name}`;

export class InodeTable {
  private readonly nodes = new Map<number, Node>();
  /** (parent, name) → ino, for the names this table holds. */
  private readonly byName = new Map<string, number>();

  constructor() {
    this.nodes.set(ROOT_INO, { ino: ROOT_INO, parent: ROOT_INO, name: '', nlookup: 1, mode: 0o040755 });
  }

  /** Number of nodes the kernel knows (diagnostics, tests). */
  get size(): number {
    return this.nodes.size;
  }

  /** Records that the kernel got ino under parent/name (one more lookup when counted). */
  remember(parent: number, name: string, ino: number, mode: number, counted = true): void {
    let n = this.nodes.get(ino);
    if (!n) {
      n = { ino, parent, name, nlookup: 0, mode };
      this.nodes.set(ino, n);
    } else if (ino !== ROOT_INO) {
      this.unbind(n);
      n.parent = parent;
      n.name = name;
    }
    n.mode = mode;
    if (ino !== ROOT_INO) {
      const k = key(parent, name);
      const prev = this.byName.get(k);
      if (prev !== undefined && prev !== ino) {
        const p = this.nodes.get(prev);
        if (p && p.parent === parent && p.name === name) p.name = null;
      }
      this.byName.set(k, ino);
    }
    if (counted) n.nlookup++;
  }

  /** Drops nlookup kernel references; the node goes when none is left. */
  forget(ino: number, nlookup: number): void {
    const n = this.nodes.get(ino);
    if (!n || ino === ROOT_INO) return;
    n.nlookup -= nlookup;
    if (n.nlookup <= 0) {
      this.unbind(n);
      this.nodes.delete(ino);
    }
  }

  /** Last known st_mode of ino (0 if unknown). */
  mode(ino: number): number {
    return this.nodes.get(ino)?.mode ?? 0;
  }

  setMode(ino: number, mode: number): void {
    const n = this.nodes.get(ino);
    if (n) n.mode = mode;
  }

  /** The parent directory ino was last seen in (itself for the root). */
  parentOf(ino: number): number {
    return this.nodes.get(ino)?.parent ?? ROOT_INO;
  }

  /** True when ino is known and still has a name. */
  named(ino: number): boolean {
    const n = this.nodes.get(ino);
    return n !== undefined && n.name !== null;
  }

  /** The path of ino from the mount root, as a byte string; ESTALE when the kernel's node has no known name. */
  path(ino: number): string {
    if (ino === ROOT_INO) return '/';
    const parts: string[] = [];
    let n = this.nodes.get(ino);
    for (let depth = 0; n && n.ino !== ROOT_INO; depth++) {
      if (n.name === null || depth > 1_000_000) throw new FsError('ESTALE', `inode ${ino} has no name here`);
      parts.push(n.name);
      n = this.nodes.get(n.parent);
    }
    if (!n) throw new FsError('ESTALE', `inode ${ino} is not known`);
    parts.reverse();
    return '/' + parts.join('/');
  }

  /** The path of name in directory parent. */
  child(parent: number, name: string): string {
    const p = this.path(parent);
    return p === '/' ? `/${name}` : `${p}/${name}`;
  }

  /** parent/name was removed (unlink, rmdir). */
  removed(parent: number, name: string): void {
    const k = key(parent, name);
    const ino = this.byName.get(k);
    if (ino === undefined) return;
    this.byName.delete(k);
    const n = this.nodes.get(ino);
    if (n && n.parent === parent && n.name === name) n.name = null;
  }

  /** parent/name became newParent/newName (exchange: the two swapped). */
  renamed(parent: number, name: string, newParent: number, newName: string, exchange: boolean): void {
    const from = this.byName.get(key(parent, name));
    const to = this.byName.get(key(newParent, newName));
    if (!exchange) this.removed(newParent, newName);
    const move = (ino: number | undefined, p: number, nm: string) => {
      const n = ino === undefined ? undefined : this.nodes.get(ino);
      if (!n) return;
      n.parent = p;
      n.name = nm;
      this.byName.set(key(p, nm), n.ino);
    };
    this.byName.delete(key(parent, name));
    if (exchange) this.byName.delete(key(newParent, newName));
    move(from, newParent, newName);
    if (exchange) move(to, parent, name);
  }

  private unbind(n: Node): void {
    if (n.name === null) return;
    const k = key(n.parent, n.name);
    if (this.byName.get(k) === n.ino) this.byName.delete(k);
  }
}
