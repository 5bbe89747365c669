import { avatarFor } from './avatar.js';
import { prefs } from './prefs.js';

/** The member list of the current room and the list of rooms with their member counts. */
export class Sidebar {
  #members;
  #memberCounts;
  #rooms;
  #roomsUrl;
  #names = [];
  #count = undefined;
  #roomsRequest = null;
  #refreshTimer = 0;

  constructor({ members, memberCounts, rooms, roomsUrl, onRoom }) {
    this.#members = members;
    this.#roomsUrl = roomsUrl;
    this.#memberCounts = memberCounts;
    this.#rooms = rooms;
    rooms.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-room]');
      if (button) onRoom(button.dataset.room);
    });
  }

  get memberNames() {
    return this.#names;
  }

  /** `count` is the room's real size when the server sends a shortened list. */
  showMembers(names, me, count) {
    this.#names = [...new Set(names.map(String))].sort((a, b) => {
      if (a === me) return -1;
      if (b === me) return 1;
      return a.localeCompare(b, undefined, { sensitivity: 'base' });
    });
    const items = this.#names.map((name) => {
      const item = document.createElement('li');
      item.dataset.name = name;
      const label = document.createElement('span');
      label.className = 'member-name';
      label.textContent = name;
      item.append(avatarFor(name), label);
      if (name === me) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'you';
        item.append(tag);
      }
      return item;
    });
    this.#members.replaceChildren(...items);
    this.#count = count;
    const total = typeof count === 'number' && count >= this.#names.length ? count : this.#names.length;
    for (const counter of this.#memberCounts) counter.textContent = String(total);
  }

  /** Reflects a rename at once; the server's next presence list is authoritative. */
  rename(oldName, newName) {
    const names = this.#names.map((n) => (n === oldName ? newName : n));
    this.showMembers(names, newName, this.#count);
  }

  /** Fetches the room list (`GET <rest>/rooms`) soon (coalescing bursts of presence changes into one request). */
  refreshRooms(current, delay = 400) {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => this.#loadRooms(current), delay);
  }

  async #loadRooms(current) {
    this.#roomsRequest?.abort();
    const request = new AbortController();
    this.#roomsRequest = request;
    let rooms = [];
    try {
      const headers = { accept: 'application/json' };
      // With AUTH_JWT_SECRET the room list needs the token too.
      if (prefs.accessToken) headers.authorization = `Bearer ${prefs.accessToken}`;
      const response = await fetch(this.#roomsUrl, { signal: request.signal, headers });
      if (response.ok) rooms = await response.json();
    } catch {
      if (request.signal.aborted) return;
    }
    if (!Array.isArray(rooms)) rooms = [];
    rooms = rooms.filter((r) => r && typeof r.room === 'string');
    if (!rooms.some((r) => r.room === current)) rooms.push({ room: current, members: this.#names.length });
    rooms.sort((a, b) => (b.members ?? 0) - (a.members ?? 0) || a.room.localeCompare(b.room));
    this.#renderRooms(rooms, current);
  }

  #renderRooms(rooms, current) {
    const items = rooms.map(({ room, members }) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.room = room;
      if (room === current) button.setAttribute('aria-current', 'true');
      const name = document.createElement('span');
      name.className = 'room-name';
      name.textContent = `#${room}`;
      const count = document.createElement('span');
      count.className = 'room-count';
      const n = Number(members) || 0;
      count.textContent = String(n);
      count.title = `${n} ${n === 1 ? 'member' : 'members'}`;
      button.append(name, count);
      item.append(button);
      return item;
    });
    this.#rooms.replaceChildren(...items);
  }
}
