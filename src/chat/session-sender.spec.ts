import { sessionSenderId } from './session-sender.js';

describe('sessionSenderId', () => {
  const secret = 'Abcdefghijklmnop_-0123456789';

  it('derives the same sender id from the same secret, another from another, and never shows the secret', () => {
    const id = sessionSenderId({ url: `/chat?session=${secret}` });
    expect(id).toMatch(/^s-[A-Za-z0-9_-]{22}$/);
    expect(sessionSenderId({ url: `/prefix/chat?x=1&session=${secret}` })).toBe(id);
    expect(sessionSenderId({ url: `/chat?session=${secret}x` })).not.toBe(id);
    expect(id).not.toContain(secret.slice(0, 8));
  });

  it('is undefined without a session, or with one too short, too long or with other characters', () => {
    expect(sessionSenderId({ url: '/chat' })).toBeUndefined();
    expect(sessionSenderId({ url: undefined })).toBeUndefined();
    expect(sessionSenderId({ url: '/chat?session=short' })).toBeUndefined();
    expect(sessionSenderId({ url: `/chat?session=${'a'.repeat(129)}` })).toBeUndefined();
    expect(sessionSenderId({ url: `/chat?session=${secret}%20` })).toBeUndefined();
  });
});
