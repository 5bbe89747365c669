import { principalId } from './sender-id.js';

describe('principalId', () => {
  it('reads sub, then subject, then id', () => {
    expect(principalId({ sub: 'u-1', subject: 's', id: 'i' })).toBe('u-1');
    expect(principalId({ name: 'Ann', subject: 'u-2' })).toBe('u-2');
    expect(principalId({ id: 'u-3' })).toBe('u-3');
    expect(principalId({ id: 42 })).toBe('42');
  });

  it('takes a string principal as its own id', () => {
    expect(principalId('token-owner')).toBe('token-owner');
  });

  it.each([[undefined], [null], [''], [true], [{}], [{ sub: '' }], [{ id: Number.NaN }], [{ name: 'only a name' }]])(
    'finds no id in %j',
    (principal) => {
      expect(principalId(principal)).toBeUndefined();
    },
  );
});
