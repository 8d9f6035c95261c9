/** The transport layer: framed binary RPC over ws with shared-secret authentication. */
export { listen, Listener, ListenOptions } from './listener';
export { dial, Link, DialOptions, StandbyError, splitUrls } from './dial';
export { Peer, Handler, Reply, PeerOptions } from './peer';
export { Meta, ProtocolError, encodeFrame, decodeFrame, FrameKind, HEADER_SIZE } from './frame';
export { Msg, Hello, Role, isKnownType, Api, ApiName, Spec, ReqOf, ResOf, specOf, ONCE, READ_ONLY } from './messages';
export { loadSecret, isLoopback, nodeAccessKey, sealFor, openSealed, sealNodeAccess, openNodeAccess, readSecretFile, checkSecretStrength, RoleSecret, RoleSecrets, Session } from './auth';
export { call, callData, contextOf, dispatcher, Handlers, TypedHandler, CallContext, WithData, Requester } from './rpc';
export { Check } from './check';
