import { bearerToken } from './bearer-token.js';

const request = (headers: Record<string, string>, url = '/chat') => ({ headers, url });

describe('bearerToken', () => {
  it('reads an Authorization: Bearer header, whatever the scheme case', () => {
    expect(bearerToken(request({ authorization: 'Bearer abc.def.ghi' }))).toBe('abc.def.ghi');
    expect(bearerToken(request({ authorization: 'bearer abc' }))).toBe('abc');
  });

  it('reads the access_token query parameter for browsers', () => {
    expect(bearerToken(request({}, '/chat?room=x&access_token=tok%2Ben'))).toBe('tok+en');
  });

  it('prefers the header over the query', () => {
    expect(bearerToken(request({ authorization: 'Bearer h' }, '/?access_token=q'))).toBe('h');
  });

  it.each([
    [{}, '/chat'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, '/chat'],
    [{ authorization: 'Bearer ' }, '/chat'],
    [{}, '/chat?access_token='],
    [{}, '/chat?token=abc'],
  ])('finds no token in %j %s', (headers, url) => {
    expect(bearerToken(request(headers as Record<string, string>, url))).toBeUndefined();
  });
});
