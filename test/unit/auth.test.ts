/** Handshake helpers: which of several secrets a proof was made with, and the node-access keys sealed for one link. */
import { newNonce, nodeAccessKey, openNodeAccess, proof, provenSecret, sealNodeAccess, secretsFor, sessionKeys } from '../../transport/auth';

const A = 'secret-a-0123456789abcdefghij';
const B = 'secret-b-0123456789abcdefghij';
const C = 'secret-c-0123456789abcdefghij';

describe('provenSecret', () => {
  const server = newNonce();
  const client = newNonce();
  const hello = { role: 'client', id: 'x' };
  const proofOf = (s: string) => proof(s, 'client', server, client, hello);

  it('finds which candidate made the proof, -1 for none or a malformed one', () => {
    expect(provenSecret([A, B, C], proofOf(B), proofOf)).toBe(1);
    expect(provenSecret([A, B, C], proofOf(C), proofOf)).toBe(2);
    expect(provenSecret([A, B], proofOf(C), proofOf)).toBe(-1);
    expect(provenSecret([A, B], undefined, proofOf)).toBe(-1);
    expect(provenSecret([A, B], proofOf(A).slice(1), proofOf)).toBe(-1);
    expect(provenSecret([], proofOf(A), proofOf)).toBe(-1);
  });

  it('a proof for another hello or other nonces proves nothing', () => {
    expect(provenSecret([A], proof(A, 'client', server, client, { role: 'client', id: 'y' }), proofOf)).toBe(-1);
    expect(provenSecret([A], proof(A, 'client', client, server, hello), proofOf)).toBe(-1);
  });
});

describe('secretsFor', () => {
  it('one secret for all, one per role, a list for a role, none, not yet', () => {
    expect(secretsFor(A, 'node')).toEqual([A]);
    expect(secretsFor({ client: [A, B], node: C }, 'client')).toEqual([A, B]);
    expect(secretsFor({ client: [A, B], node: C }, 'node')).toEqual([C]);
    expect(secretsFor({ node: C }, 'operator')).toBeUndefined();
    expect(secretsFor({ client: null }, 'client')).toBeNull();
  });
});

describe('node-access keys', () => {
  it('the keys of every client secret open on the same link only, and differ per secret', () => {
    const s = newNonce();
    const c = newNonce();
    const server = sessionKeys(C, s, c, 'server', true, 0);
    const node = sessionKeys(C, s, c, 'client', true);
    const sealed = sealNodeAccess(server, [A, B]);
    expect(openNodeAccess(node, sealed)).toEqual([nodeAccessKey(A), nodeAccessKey(B)]);
    expect(nodeAccessKey(A)).not.toBe(nodeAccessKey(B));
    const elsewhere = sessionKeys(C, newNonce(), c, 'client', true);
    expect(() => openNodeAccess(elsewhere, sealed)).toThrow();
  });
});
