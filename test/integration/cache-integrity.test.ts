/**
 * The page cache under pressure keeps every byte: random writes of mixed sizes (1 B to 64 KiB, most not
 * page-aligned) through a mount with a small cache, so write-behind, write-back at the dirty limit and
 * eviction all run while the writer goes on; the file must equal a shadow copy kept by the writer.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { canMount, mountAt, mountsUnder, sh, unmount } from '../helpers/mounts';
import { Cluster, killAll, Proc, startCluster, tempDir } from '../helpers/procs';

const describeMount = canMount() ? describe : describe.skip;

const WRITER = `
import os, random, sys
path, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
size = 48 << 20
shadow = bytearray(size)
fd = os.open(path, os.O_CREAT | os.O_RDWR)
os.ftruncate(fd, size)
for i in range(n):
    k = random.choice([1, 100, 513, 4096, 5000, 65536])
    off = random.randrange(0, size - k)
    b = os.urandom(k)
    os.pwrite(fd, b, off)
    shadow[off:off + k] = b
    if i % 4000 == 0:
        o = random.randrange(0, size - 70000)
        assert os.pread(fd, 70000, o) == bytes(shadow[o:o + 70000]), 'read-back during the writes differs'
os.close(fd)
got = open(path, 'rb').read()
bad = [i for i in range(0, size, 4096) if got[i:i + 4096] != shadow[i:i + 4096]]
print('bad', len(bad), bad[:5])
`;

describeMount('page cache integrity under pressure', () => {
  let root = '';
  let cluster: Cluster | null = null;
  let mount: Proc | null = null;

  beforeAll(async () => {
    root = tempDir('mempool-cache-');
    cluster = await startCluster({ nodes: 2, memory: '256MiB', replicas: 2 });
    mount = await mountAt(cluster.url, root, {}, ['--cache', '16MiB']);
  }, 60000);

  afterAll(async () => {
    await unmount(mount, root);
    await killAll();
    expect(mountsUnder(root).size).toBe(0);
  });

  it('random writes of mixed sizes through a 16 MiB cache read back exactly, during and after', () => {
    const script = path.join(path.dirname(root), `${path.basename(root)}-writer.py`);
    writeFileSync(script, WRITER);
    for (const seed of [1, 2]) {
      const out = sh(`python3 ${script} ${root}/f${seed} ${seed} 12000`);
      expect(out.trim()).toBe('bad 0 []');
    }
  });
});
