import { canonicalAddress, resolveClientAddress, TrustedProxies } from './client-address';

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
  const nginx = TrustedProxies.parse('10.0.0.1');
  const chain = TrustedProxies.parse('10.0.0.0/24, fd00::/8');

  it('is the socket peer when nobody is trusted, whatever the header says', () => {
    expect(
      resolveClientAddress(
        { peerAddress: '203.0.113.9', forwardedFor: '1.1.1.1' },
        TrustedProxies.none,
      ),
    ).toBe('203.0.113.9');
  });

  it('ignores the header from a peer that is not trusted', () => {
    expect(
      resolveClientAddress({ peerAddress: '203.0.113.9', forwardedFor: '1.1.1.1' }, nginx),
    ).toBe('203.0.113.9');
  });

  it('takes the right-most address behind a trusted proxy, not what the client prepended', () => {
    expect(
      resolveClientAddress(
        { peerAddress: '10.0.0.1', forwardedFor: '6.6.6.6, 7.7.7.7, 203.0.113.9' },
        nginx,
      ),
    ).toBe('203.0.113.9');
  });

  it('walks a chain of trusted proxies to the first untrusted address', () => {
    expect(
      resolveClientAddress(
        { peerAddress: '10.0.0.1', forwardedFor: ['6.6.6.6, 203.0.113.9', '10.0.0.8, fd00::2'] },
        chain,
      ),
    ).toBe('203.0.113.9');
  });

  it('understands an IPv4-mapped peer and IPv6 clients', () => {
    expect(
      resolveClientAddress(
        { peerAddress: '::ffff:10.0.0.1', forwardedFor: '2001:DB8::0:7' },
        nginx,
      ),
    ).toBe('2001:db8::7');
    expect(
      resolveClientAddress({ peerAddress: '::ffff:198.51.100.4', forwardedFor: undefined }, nginx),
    ).toBe('198.51.100.4');
  });

  it('stops at a garbled hop and keeps the last address it could trust', () => {
    expect(
      resolveClientAddress({ peerAddress: '10.0.0.1', forwardedFor: '203.0.113.9, junk' }, nginx),
    ).toBe('10.0.0.1');
    expect(
      resolveClientAddress({ peerAddress: '10.0.0.1', forwardedFor: 'junk, 10.0.0.8' }, chain),
    ).toBe('10.0.0.8');
  });

  it('is the trusted peer itself when every hop is trusted or there is no header', () => {
    expect(resolveClientAddress({ peerAddress: '10.0.0.1', forwardedFor: undefined }, nginx)).toBe(
      '10.0.0.1',
    );
    expect(resolveClientAddress({ peerAddress: '10.0.0.1', forwardedFor: '10.0.0.3' }, chain)).toBe(
      '10.0.0.3',
    );
  });

  it('says unknown when the socket has no address', () => {
    expect(resolveClientAddress({ peerAddress: undefined, forwardedFor: undefined }, nginx)).toBe(
      'unknown',
    );
  });
});
