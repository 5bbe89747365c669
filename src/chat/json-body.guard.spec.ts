import { isJson } from './json-body.guard.js';

describe('isJson', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    ' application/json ',
  ])('accepts %j', (contentType) => expect(isJson(contentType)).toBe(true));

  it.each([
    undefined,
    '',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'text/plain; charset=application/json',
    'application/jsonp',
    'application/json-patch+json',
  ])('refuses %j', (contentType) => expect(isJson(contentType)).toBe(false));
});
