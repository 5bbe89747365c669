/** What the page remembers between visits (localStorage) and reads from the URL. */
const KEYS = { name: 'chat.name', room: 'chat.room', token: 'chat.accessToken' };

export const DEFAULT_ROOM = 'lobby';
export const MAX_NAME = 32;
export const MAX_ROOM = 64;

function read(key) {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return ''; // storage disabled (private mode, sandboxed iframe): behave as a first visit
  }
}

function write(key, value) {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* not persisted; the session still works */
  }
}

export function cleanName(value) {
  return String(value ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME);
}

/** "#General " -> "General"; rooms are case-sensitive on the server, so case is kept. */
export function cleanRoom(value) {
  return String(value ?? '')
    .trim()
    .replace(/^#+/, '')
    .replace(/\s+/g, '-')
    .slice(0, MAX_ROOM);
}

export function roomFromHash(hash = location.hash) {
  let raw = hash.replace(/^#/, '');
  try {
    raw = decodeURIComponent(raw);
  } catch {
    /* keep the raw text */
  }
  return cleanRoom(raw);
}

export const prefs = {
  get name() {
    return cleanName(read(KEYS.name));
  },
  set name(value) {
    write(KEYS.name, cleanName(value));
  },
  get room() {
    return cleanRoom(read(KEYS.room));
  },
  set room(value) {
    write(KEYS.room, cleanRoom(value));
  },
  /** Set by an embedding app (or by hand) when the server runs with AUTH_JWT_SECRET. */
  get accessToken() {
    return read(KEYS.token).trim();
  },
};
