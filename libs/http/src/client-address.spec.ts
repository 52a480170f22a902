import {
  canonicalAddress,
  forwardedAddress,
  resolveClientAddress,
  TrustedProxies,
} from './client-address';

describe('canonicalAddress', () => {
  it.each([
    ['10.0.0.7', '10.0.0.7'],
    [' 10.0.0.7 ', '10.0.0.7'],
    ['::ffff:10.0.0.7', '10.0.0.7'],
    ['::FFFF:10.0.0.7', '10.0.0.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::1', '::1'],
    ['', undefined],
    ['unknown', undefined],
    ['10.0.0.300', undefined],
    ['1.2.3.4:80', undefined],
  ])('%j is %j', (text, expected) => {
    expect(canonicalAddress(text)).toBe(expected);
  });
});

describe('forwardedAddress', () => {
  it.each([
    ['1.2.3.4:5678', '1.2.3.4'],
    [' [::1]:80 ', '::1'],
    ['[::FFFF:10.0.0.7]:80', '10.0.0.7'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.2.3.4:', undefined],
    ['[1.2.3.4]:80', undefined],
    ['[::1]:http', undefined],
    ['host:80', undefined],
  ])('%j is %j', (entry, expected) => {
    expect(forwardedAddress(entry)).toBe(expected);
  });
});

describe('TrustedProxies', () => {
  it('matches addresses and CIDRs of both families, and IPv4-mapped IPv6 as IPv4', () => {
    const trusted = TrustedProxies.parse(' 10.0.0.1, 172.16.0.0/12 ,fd00::/8, 2001:db8::5');
    expect(trusted.includes('10.0.0.1')).toBe(true);
    expect(trusted.includes('10.0.0.2')).toBe(false);
    expect(trusted.includes('172.31.255.255')).toBe(true);
    expect(trusted.includes('172.32.0.0')).toBe(false);
    expect(trusted.includes('fd12::9')).toBe(true);
    expect(trusted.includes('fe80::1')).toBe(false);
    expect(trusted.includes('2001:db8::5')).toBe(true);
    expect(trusted.includes('::ffff:172.20.0.3')).toBe(true);
  });

  it('trusts nobody by default', () => {
    expect(TrustedProxies.parse('').includes('127.0.0.1')).toBe(false);
    expect(TrustedProxies.none.includes('127.0.0.1')).toBe(false);
  });

  it.each(['nginx', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/8x', '999.0.0.1'])(
    'refuses %j, naming it',
    (entry) => {
      expect(() => TrustedProxies.parse(`127.0.0.1,${entry}`)).toThrow(entry);
    },
  );
});

describe('resolveClientAddress', () => {
  const none = TrustedProxies.none;
  const nginx = TrustedProxies.parse('10.0.0.1');
  const chain = TrustedProxies.parse('10.0.0.0/24, fd00::/8');

  it.each([
    ['the socket peer when nobody is trusted', '203.0.113.9', '1.1.1.1', none, '203.0.113.9'],
    ['the socket peer when it is not trusted', '203.0.113.9', '1.1.1.1', nginx, '203.0.113.9'],
    [
      'the right-most address behind a trusted proxy, not what the client prepended',
      '10.0.0.1',
      '6.6.6.6, 7.7.7.7, 203.0.113.9',
      nginx,
      '203.0.113.9',
    ],
    [
      'the first untrusted address behind a chain of trusted proxies, across repeated headers',
      '10.0.0.1',
      ['6.6.6.6, 203.0.113.9', '10.0.0.8, fd00::2'],
      chain,
      '203.0.113.9',
    ],
    [
      'an IPv6 client behind an IPv4-mapped peer',
      '::ffff:10.0.0.1',
      '2001:DB8::0:7',
      nginx,
      '2001:db8::7',
    ],
    ['an IPv4-mapped peer as IPv4', '::ffff:198.51.100.4', undefined, nginx, '198.51.100.4'],
    [
      'the last trusted address before a garbled hop',
      '10.0.0.1',
      '203.0.113.9, junk',
      nginx,
      '10.0.0.1',
    ],
    [
      'the last trusted hop when a garbled one is further left',
      '10.0.0.1',
      'junk, 10.0.0.8',
      chain,
      '10.0.0.8',
    ],
    ['the trusted peer itself without a header', '10.0.0.1', undefined, nginx, '10.0.0.1'],
    [
      'the left-most trusted hop when every hop is trusted',
      '10.0.0.1',
      '10.0.0.3',
      chain,
      '10.0.0.3',
    ],
    ['unknown when the socket has no address', undefined, undefined, nginx, 'unknown'],
    ['an IPv4 hop without its port', '10.0.0.1', '203.0.113.9:5678', nginx, '203.0.113.9'],
    [
      'an IPv6 hop in brackets without its port',
      '10.0.0.1',
      '[2001:DB8::7]:80',
      nginx,
      '2001:db8::7',
    ],
    ['an IPv6 hop in brackets without a port', '10.0.0.1', '[::1]', nginx, '::1'],
    [
      'the first untrusted address past trusted hops with ports',
      '10.0.0.1',
      '203.0.113.9:1, 10.0.0.8:443, [fd00::2]:80',
      chain,
      '203.0.113.9',
    ],
    [
      'the last trusted address before a port out of range',
      '10.0.0.1',
      '6.6.6.6:999999',
      nginx,
      '10.0.0.1',
    ],
  ])('is %s', (_, peerAddress, forwardedFor, trusted, client) => {
    expect(resolveClientAddress({ peerAddress, forwardedFor }, trusted)).toBe(client);
  });
});
