/**
 * The etcd3 client as the metadata log wants it: no per-host circuit breaker (etcd3's
 * default refuses every call to a host for 5 s after 3 failures, which turns a 1 s etcd
 * restart into a 5 s stall of the leader and its standbys), a deadline on every unary
 * call (a hung etcd must surface as an error the log can act on), and no gRPC message
 * size cap on reads (a page of batches or snapshot chunks may exceed 4 MiB).
 */
import type { IDefaultPolicyContext, IPolicy } from 'cockatiel';
import { Etcd3, IOptions } from 'etcd3';

/** Deadline of one unary etcd call. */
export const ETCD_CALL_TIMEOUT_MS = 5000;

/** A policy that runs each call once, as is (failover across hosts stays with etcd3's global retry). */
function passThrough(): IPolicy<IDefaultPolicyContext> {
  return {
    get _altReturn(): never {
      throw new Error('virtual property');
    },
    onSuccess: () => ({ dispose: () => undefined }),
    onFailure: () => ({ dispose: () => undefined }),
    execute: async (fn, signal) => fn({ signal: signal ?? new AbortController().signal }),
  };
}

/** Opens a client on the given endpoints; extra options (TLS credentials, auth) are merged in. */
export function openEtcdClient(endpoints: string[], extra: Partial<IOptions> = {}): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: ETCD_CALL_TIMEOUT_MS,
    grpcOptions: { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }),
    faultHandling: { host: () => passThrough() },
    ...extra,
  });
}
