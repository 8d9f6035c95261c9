/** The --meta etcd://HOST:PORT[,HOST:PORT...]/PREFIX parser: what it accepts and the reason it gives for what it refuses. */
import { EtcdUrlError, formatEtcdUrl, parseEtcdUrl } from '../../src/manager/log/etcd-url';

test('parses one or several members and a nested prefix', () => {
  expect(parseEtcdUrl('etcd://127.0.0.1:2379/mempool')).toEqual({ endpoints: ['http://127.0.0.1:2379'], prefix: 'mempool' });
  expect(parseEtcdUrl('etcd://a.example:2379,b.example:2379,[::1]:2379/pools/prod/')).toEqual({
    endpoints: ['http://a.example:2379', 'http://b.example:2379', 'http://[::1]:2379'],
    prefix: 'pools/prod',
  });
  expect(parseEtcdUrl('etcd://h:1,h:1/p').endpoints).toEqual(['http://h:1']);
  expect(formatEtcdUrl(parseEtcdUrl('etcd://h1:2379,h2:2380/a/b'))).toBe('etcd://h1:2379,h2:2380/a/b');
});

test.each([
  ['http://h:2379/p', /must start with etcd:\/\//],
  ['etcd://h:2379', /missing \/PREFIX/],
  ['etcd://h:2379/', /empty PREFIX/],
  ['etcd:///p', /no HOST:PORT/],
  ['etcd://h/p', /needs HOST:PORT/],
  ['etcd://h:0/p', /not a port/],
  ['etcd://h:65536/p', /not a port/],
  ['etcd://h:x/p', /not a port/],
  ['etcd://h:1,,g:2/p', /empty HOST:PORT/],
  ['etcd://bad_host!:1/p', /not a host name/],
  ['etcd://h:1/a//b', /prefix segment ""/],
  ['etcd://h:1/a/../b', /prefix segment "\.\."/],
  ['etcd://h:1/a b', /prefix segment "a b"/],
])('refuses %s', (url, why) => {
  expect(() => parseEtcdUrl(url)).toThrow(EtcdUrlError);
  expect(() => parseEtcdUrl(url)).toThrow(why);
});
