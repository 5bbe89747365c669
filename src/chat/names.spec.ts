import fc from 'fast-check';
import { chatNameProblem, isChatName, isMessageText, isReservedName } from './names.js';
import { peerName } from './text-lines.js';

describe('chat names', () => {
  it('reserves every name peerName gives a plain-text client (IPv4, IPv6, IPv4-mapped, with or without port)', () => {
    const port = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined });
    fc.assert(fc.property(fc.ipV4(), port, (address, remotePort) => isReservedName(peerName(address, remotePort))));
    fc.assert(fc.property(fc.ipV6(), port, (address, remotePort) => isReservedName(peerName(address, remotePort))));
    fc.assert(
      fc.property(fc.ipV4(), port, (address, remotePort) => isReservedName(peerName(`::ffff:${address}`, remotePort))),
    );
  });

  it('reserves near misses, look-alikes, and names that start with an address', () => {
    for (const name of [
      '999.1.1.1:80',
      '1.2.3.4:',
      '[::1]',
      '[::FFFF:1.2.3.4]:80',
      '::1',
      'fe80::1',
      '１２７.０.０.１:８０',
      '1.2.3.4:5 say: hi',
      '[::1]:80 x',
    ]) {
      expect(isReservedName(name)).toBe(true);
    }
  });

  it('leaves ordinary names alone, digits and colons included', () => {
    for (const name of [
      'alice',
      'Ann Lee',
      'agent 007',
      '1.2.3',
      'v1.2.3.4-beta',
      'at 10:30',
      'a:b',
      '[team]',
      '[cafe]:80',
      'guest-1a2b3c4d',
      'fan of 10.0.0.1',
    ]) {
      expect(isReservedName(name)).toBe(false);
      expect(chatNameProblem(name, 32)).toBeNull();
    }
  });

  it('says which rule a name breaks, for chosen names and token names alike', () => {
    expect(chatNameProblem('x'.repeat(33), 32)).toBe('must be 1 to 32 printable characters, no spaces at either end');
    expect(chatNameProblem('rtl\u202eevil', 32)).toBe('must be 1 to 32 printable characters, no spaces at either end');
    expect(chatNameProblem(null, 32)).toBe('must be 1 to 32 printable characters, no spaces at either end');
    expect(chatNameProblem('127.0.0.1:4242', 32)).toMatch(/^is reserved: names shaped like a peer address/);
    expect(isChatName('127.0.0.1:4242', 32)).toBe(true); // the shape rule is separate: plain clients have such names
  });

  it('takes message text of any characters, as long as it is well-formed Unicode', () => {
    expect(isMessageText('line one\nline two \u001b[31m red \u202e', 100)).toBe(true);
    expect(isMessageText('a pair 😀', 100)).toBe(true);
    expect(isMessageText('a half \ud83d', 100)).toBe(false);
    expect(isMessageText('\udc00 the other half', 100)).toBe(false);
  });
});
