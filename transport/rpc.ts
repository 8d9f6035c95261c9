/**
 * Typed calls and typed serving over the message table: a sender passes a spec and a typed request and gets the
 * checked, typed reply; a server registers one handler per message name and gets checked, typed requests.
 */
import { FsError } from '../src/errors';
import { Check } from './check';
import { Meta, ProtocolError } from './frame';
import { Api, ApiName, credCheck, Hello, ReqOf, ResOf, Spec, specOf } from './messages';
import { Handler, Peer, Reply } from './peer';

/** Anything requests can be sent over: a Peer or a reconnecting Link. */
export interface Requester {
  request(type: number, meta?: Meta, data?: Buffer, timeoutMs?: number): Promise<{ meta: Meta; data: Buffer }>;
}

/** A checked reply; a reply that breaks its spec is EPROTO (the sender is buggy or hostile, not the caller). */
function checkReply<R>(check: Check<R>, type: number, meta: Meta): R {
  try {
    return check(meta, '');
  } catch (err) {
    throw new FsError('EPROTO', `bad reply to message type ${type}: ${(err as Error).message}`);
  }
}

/** Sends a request of spec's type and resolves with its checked reply (FsError for an errno reply). */
export async function call<Q extends Meta, R extends Meta, I extends Meta>(to: Requester, spec: Spec<Q, R, I>, req: I, data?: Buffer, timeoutMs?: number): Promise<R> {
  const r = await to.request(spec.type, req, data, timeoutMs);
  return checkReply(spec.res, spec.type, r.meta);
}

/** Like call, for messages whose reply carries data (ChunkRead, Getxattr). */
export async function callData<Q extends Meta, R extends Meta, I extends Meta>(to: Requester, spec: Spec<Q, R, I>, req: I, data?: Buffer, timeoutMs?: number): Promise<{ reply: R; data: Buffer }> {
  const r = await to.request(spec.type, req, data, timeoutMs);
  return { reply: checkReply(spec.res, spec.type, r.meta), data: r.data };
}

/** A reply with raw data behind its metadata. */
export class WithData<R> {
  constructor(
    readonly meta: R,
    readonly data: Buffer,
  ) {}
}

/** What a handler is given besides its request. */
export interface CallContext {
  peer: Peer;
  /** The request frame's raw data (a view: copy what you keep). */
  data: Buffer;
  /** What the sender declared (and proved) in the handshake. */
  remote: Hello;
  /** The credentials the request carried (its `cred` field), if any. */
  cred?: { uid: number; gid: number; groups: number[] };
}

/** Serves one message: a typed request in, its typed reply (or with data) out; throw FsError for an errno. */
export type TypedHandler<S> = (req: ReqOf<S>, ctx: CallContext) => ResOf<S> | WithData<ResOf<S>> | Promise<ResOf<S> | WithData<ResOf<S>>>;

/** Handlers by message name; a server registers the ones it serves. */
export type Handlers = { [K in ApiName]?: TypedHandler<(typeof Api)[K]> };

type AnyHandler = (req: Meta, ctx: CallContext) => Meta | WithData<Meta> | Promise<Meta | WithData<Meta>>;

/** The context a handler gets for a request from peer: its link, data, the sender's hello and the checked `cred` field. */
export function contextOf(peer: Peer, meta: Meta, data: Buffer): CallContext {
  return { peer, data, remote: peer.remote, cred: meta.cred === undefined ? undefined : credCheck(meta.cred, 'cred') };
}

/**
 * A Peer handler serving the given typed handlers. A frame whose fields have the wrong JSON type is a protocol
 * error (the link closes); everything else answers an errno: a message this server does not serve (ENOSYS), a
 * sender whose role may not send it (EPERM), a field out of range (its own errno).
 */
export function dispatcher(handlers: Handlers, name: string): Handler {
  const byType = new Map<number, AnyHandler>();
  for (const key of Object.keys(handlers) as ApiName[]) {
    byType.set(Api[key].type, handlers[key] as AnyHandler);
  }
  return async (type, meta, data, peer): Promise<Reply> => {
    const spec = specOf(type);
    const handle = byType.get(type);
    if (!spec || !handle) throw new FsError('ENOSYS', `message type ${type} is not served by ${name}`);
    if (!spec.from.includes(peer.remote.role)) throw new FsError('EPERM', `a ${peer.remote.role} may not send message type ${type}`);
    const req = spec.req(meta, '');
    const out = await handle(req, contextOf(peer, meta, data));
    return out instanceof WithData ? { meta: out.meta, data: out.data } : { meta: out };
  };
}

export { ProtocolError };
