/** Chunk versions on a memory node's store, and the manager's chunk map with versions and key generations (snapshots old and new). */
import { ChunkStore } from '../../src/node/chunk-store';
import { ChunkMap } from '../../src/manager/chunk-map';
import { MetaState } from '../../src/manager/state/meta-state';
import type { MetaOp } from '../../src/manager/state/ops';
import { chunkKey, parseChunkKey } from '../../src/types';

const CS = 1024 * 1024;

describe('chunk store versions', () => {
  test('a version given before the chunk is written stays with it, and adds no chunk to the count', () => {
    const s = new ChunkStore({ capacity: 8 * CS, chunkSize: CS });
    s.setVersion('2:0:7', 3);
    expect(s.count).toBe(0);
    expect(s.version('2:0:7')).toBe(3);
    s.write('2:0:7', 0, Buffer.from('abc'));
    expect(s.count).toBe(1);
    expect(s.version('2:0:7')).toBe(3);
    s.setVersion('2:0:7', 4);
    expect(s.version('2:0:7')).toBe(4);
    expect(s.read('2:0:7', 0, 3).toString()).toBe('abc');
  });

  test('a stale mark frees the data, is listed with version 0, and only a delete clears it', () => {
    const s = new ChunkStore({ capacity: 8 * CS, chunkSize: CS });
    s.write('2:1:7', 0, Buffer.alloc(300 * 1024, 1));
    const allocated = s.allocated;
    expect(allocated).toBeGreaterThan(0);
    s.setVersion('2:1:7', 0);
    expect(s.allocated).toBe(0);
    expect(s.isStale('2:1:7')).toBe(true);
    s.setVersion('2:1:7', 5); // a stale replica never takes a version again
    expect(s.version('2:1:7')).toBe(0);
    expect(s.list(0, 10).chunks).toEqual([{ key: '2:1:7', ver: 0, bytes: 0 }]);
    s.delete(['2:1:7']);
    expect(s.isStale('2:1:7')).toBe(false);
    expect(s.list(0, 10).chunks).toEqual([]);
  });

  test('the inventory pages through chunks, stale marks and versions of chunks not stored yet', () => {
    const s = new ChunkStore({ capacity: 8 * CS, chunkSize: CS });
    for (let i = 0; i < 5; i++) s.write(`3:${i}:1`, 0, Buffer.from([i]));
    s.setVersion('3:9:1', 2);
    s.setVersion('3:8:1', 0);
    const seen: string[] = [];
    for (let offset: number | undefined = 0; offset !== undefined;) {
      const page: ReturnType<ChunkStore['list']> = s.list(offset, 3);
      seen.push(...page.chunks.map((c) => `${c.key}@${c.ver}`));
      offset = page.next;
    }
    expect(seen).toEqual(['3:0:1@1', '3:1:1@1', '3:2:1@1', '3:3:1@1', '3:4:1@1', '3:8:1@0', '3:9:1@2']);
  });
});

describe('chunk keys', () => {
  test('carry the generation; keys without one (older files) still parse', () => {
    expect(chunkKey(5, 2)).toBe('5:2');
    expect(chunkKey(5, 2, 99)).toBe('5:2:99');
    expect(parseChunkKey('5:2:99')).toEqual({ ino: 5, index: 2, gen: 99 });
    expect(parseChunkKey('5:2')).toEqual({ ino: 5, index: 2, gen: 0 });
    expect(parseChunkKey('raw.0')).toBeNull();
    expect(parseChunkKey('5:2:99:1')).toBeNull();
  });
});

describe('chunk map versions and generations', () => {
  test('set keeps the version unless given; drop and images keep versions and generations', () => {
    const m = new ChunkMap();
    m.set(7, 0, ['a', 'b'], undefined, 42);
    expect(m.record(7, 0)).toEqual({ replicas: ['a', 'b'], ver: 1 });
    m.set(7, 0, ['a', 'c'], 2);
    m.set(7, 1, ['b', 'c']);
    expect(m.record(7, 0)?.ver).toBe(2);
    expect(m.genOf(7)).toBe(42);
    const copy = new ChunkMap();
    copy.importImage(m.exportImage());
    expect(copy.record(7, 0)).toEqual({ replicas: ['a', 'c'], ver: 2 });
    expect(copy.genOf(7)).toBe(42);
    expect(copy.count).toBe(2);
  });

  test('a snapshot written before versions reads as version 1, generation 0', () => {
    const st = new MetaState(0o1777);
    const img = JSON.parse(JSON.stringify(st.exportImage())) as Record<string, unknown>;
    img.chunks = [[9, [[0, ['x', 'y']]]]];
    delete img.draining;
    st.importImage(img as never);
    expect(st.chunks.record(9, 0)).toEqual({ replicas: ['x', 'y'], ver: 1 });
    expect(st.chunks.genOf(9)).toBe(0);
    expect(st.draining.size).toBe(0);
  });

  test('versions, generations and draining are logged operations: replaying the records rebuilds them', () => {
    const a = new MetaState(0o1777);
    const ops: MetaOp[] = [
      { op: 'chunk', ino: 3, index: 0, replicas: ['n1', 'n2'], gen: 77 },
      { op: 'chunk', ino: 3, index: 0, replicas: ['n1'], ver: 2 },
      { op: 'chunk', ino: 3, index: 0, replicas: ['n1', 'n3'], ver: 2 },
      { op: 'drain', node: 'n2', on: true },
    ];
    for (const op of ops) a.apply(op);
    const b = new MetaState(0o1777);
    b.importImage(JSON.parse(JSON.stringify(a.exportImage())));
    for (const st of [a, b]) {
      expect(st.chunks.record(3, 0)).toEqual({ replicas: ['n1', 'n3'], ver: 2 });
      expect(st.chunks.genOf(3)).toBe(77);
      expect([...st.draining]).toEqual(['n2']);
    }
  });
});
