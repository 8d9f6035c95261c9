/** Admission at the manager: node URLs of the manager's scheme, ids bound to the process that first proved them. */
import { Identities } from '../../src/manager/identities';

describe('Identities', () => {
  it('binds an id to the first identity key: the same process comes back, another process with that id is refused', () => {
    const ids = new Identities('ws');
    expect(ids.refusal({ role: 'client', id: 'c1', key: 'k1' })).toBeNull();
    expect(ids.refusal({ role: 'client', id: 'c1', key: 'k1' })).toBeNull();
    expect(ids.refusal({ role: 'client', id: 'c1', key: 'k2' })).toMatch(/in use by another process/);
    // a node may use the same id string as a client: ids are per role
    expect(ids.refusal({ role: 'node', id: 'c1', key: 'k2', url: 'ws://10.0.0.1:1', capacity: 1 })).toBeNull();
    ids.releaseClient('c1');
    expect(ids.refusal({ role: 'client', id: 'c1', key: 'k2' })).toBeNull();
  });

  it('refuses a peer without an id or an identity key, and roles the manager does not serve', () => {
    const ids = new Identities('ws');
    expect(ids.refusal({ role: 'client', key: 'k' })).toMatch(/must send its id/);
    expect(ids.refusal({ role: 'client', id: 'c' })).toMatch(/identity key/);
    expect(ids.refusal({ role: 'operator' })).toBeNull();
    expect(ids.refusal({ role: 'manager' })).toMatch(/not served/);
  });

  it("takes only memory nodes whose URL is of the manager's scheme", () => {
    const tls = new Identities('wss');
    expect(tls.refusal({ role: 'node', id: 'n', key: 'k', url: 'ws://10.0.0.1:1', capacity: 1 })).toMatch(/does not match the manager's wss:\/\/ scheme/);
    expect(tls.refusal({ role: 'node', id: 'n', key: 'k', url: 'wss://10.0.0.1:1', capacity: 1 })).toBeNull();
    expect(tls.refusal({ role: 'node', id: 'm', key: 'k', url: 'http://10.0.0.1:1', capacity: 1 })).toMatch(/not a ws:\/\/ or wss:\/\/ URL/);
    expect(tls.refusal({ role: 'node', id: 'm', key: 'k', url: 'wss://10.0.0.1:1' })).toMatch(/id, url and capacity/);
  });
});
