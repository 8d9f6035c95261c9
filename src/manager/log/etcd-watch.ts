/**
 * One etcd watch on its own gRPC stream that ends, and says so, on any trouble
 * (stream error, etcd restart, cancellation, compacted start revision) instead of
 * resuming behind the caller's back. Callers re-read and watch again from the
 * revision of their read, which is how they stay exact. (etcd3's shared watch
 * manager wedges every later watch of its client when a create is refused
 * because the start revision was compacted, so the log does not use it.)
 */
import { Etcd3, FilterType, IEvent, IWatchResponse, Range } from 'etcd3';

/** A running watch. */
export interface OneWatch {
  /** Resolves once the watch is registered in etcd (events from its start revision on will come). */
  readonly created: Promise<void>;
  /** Resolves when the watch ends: null after close(), else the reason. */
  readonly ended: Promise<Error | null>;
  close(): void;
}

/** Watches range from startRevision on; only: which event types to deliver. onEvents runs in stream order. */
export function watchOnce(client: Etcd3, range: Range, startRevision: string, only: 'put' | 'delete' | 'all', onEvents: (events: IEvent[]) => void): OneWatch {
  let done = false;
  let cancelStream: (() => void) | null = null;
  let endResolve!: (err: Error | null) => void;
  let createdResolve!: () => void;
  const ended = new Promise<Error | null>((res) => (endResolve = res));
  const created = new Promise<void>((res) => (createdResolve = res));
  const finish = (err: Error | null) => {
    if (done) return;
    done = true;
    endResolve(err);
    cancelStream?.();
  };
  void ended.then(() => createdResolve()); // never leave a waiter on created hanging
  const filters = only === 'put' ? [FilterType.Nodelete] : only === 'delete' ? [FilterType.Noput] : [];
  client.watchClient.watch().then(
    (stream) => {
      cancelStream = () => {
        try {
          stream.cancel();
        } catch {
          // already gone
        }
      };
      if (done) return cancelStream();
      stream.on('data', (res: IWatchResponse) => {
        if (done) return;
        if (res.canceled || (res.compact_revision && res.compact_revision !== '0')) {
          finish(new Error(`etcd watch canceled${res.compact_revision && res.compact_revision !== '0' ? ` (history compacted up to revision ${res.compact_revision})` : ''}`));
          return;
        }
        if (res.created) createdResolve();
        if (res.events && res.events.length > 0) onEvents(res.events);
      });
      stream.on('error', (err: Error) => finish(err));
      stream.on('end', () => finish(new Error('etcd watch stream ended')));
      stream.write({ create_request: { key: range.start, range_end: range.end, start_revision: startRevision, filters } });
    },
    (err: Error) => finish(err),
  );
  return { created, ended, close: () => finish(null) };
}

/** The range of exactly one key. */
export function keyRange(key: string): Range {
  return new Range(key, Buffer.concat([Buffer.from(key), Buffer.from([0])]));
}
