import { ChatClient } from './chat-client.js';
import { MessageView } from './message-view.js';
import { Sidebar } from './sidebar.js';
import { ConnectionIndicator, showToast } from './status.js';
import { prefs, cleanName, cleanRoom, roomFromHash, DEFAULT_ROOM } from './prefs.js';

const HISTORY_PAGE = 50;
const $ = (id) => document.getElementById(id);

// The server writes where the JSON protocol and the REST API are, relative to the page's own
// URL, so the page works under any path, global prefix or path-stripping proxy.
const place = (name, fallback) => document.querySelector(`meta[name="${name}"]`)?.content || fallback;

function chatUrl() {
  const url = new URL(place('chat-socket', 'chat'), location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = prefs.accessToken;
  if (token) url.searchParams.set('access_token', token);
  return url.href;
}

const client = new ChatClient(chatUrl());
const view = new MessageView({
  scroller: $('scroller'),
  log: $('log'),
  outbox: $('outbox'),
  jump: $('jump'),
  onRetry: (ref) => client.retry(ref),
  onDiscard: (ref) => client.discard(ref),
  isOwn: (message) => client.isMine(message),
});
const sidebar = new Sidebar({
  members: $('members'),
  memberCounts: document.querySelectorAll('[data-member-count]'),
  rooms: $('rooms'),
  roomsUrl: place('chat-rooms', 'api/rooms'),
  onRoom: (room) => goToRoom(room),
});
const indicator = new ConnectionIndicator({
  root: $('connection'),
  text: $('connection-text'),
  retry: $('reconnect-now'),
  announcer: $('announcer'),
  onRetry: () => client.reconnectNow(),
});

const input = $('message-input');
const loadOlder = $('load-older');
let unread = 0;
/** The room's members as the server last listed them (a refused rename goes back to it). */
let roster = { members: [], count: undefined };

// ---- rendering what the server says -------------------------------------------------------

client.addEventListener('state', ({ detail }) => indicator.show(detail));

client.addEventListener('joined', ({ detail }) => {
  withBusyLog(() => {
    if (!detail.resumed) view.clear();
    view.append(detail.history);
  });
  if (!detail.resumed) {
    loadOlder.hidden = !detail.earlier;
    if (!detail.earlier) view.beginning(detail.room);
  }
  if (detail.truncated) view.notice('Some messages from while you were away are no longer available');
  showMembers(detail.members, detail.count);
  sidebar.refreshRooms(detail.room, 0);
  countUnread(detail.history.length);
});

client.addEventListener('message', ({ detail }) => {
  view.append([detail]);
  if (!client.isMine(detail)) countUnread(1);
});

client.addEventListener('history', ({ detail }) => {
  loadOlder.disabled = false;
  withBusyLog(() => view.prepend(detail.messages));
  if (!detail.earlier) {
    loadOlder.hidden = true;
    view.beginning(detail.room);
  }
});

client.addEventListener('presence', ({ detail }) => {
  showMembers(Array.isArray(detail.members) ? detail.members : [], detail.count);
  if (typeof detail.joins === 'number') {
    // A busy room's changes, summed up (README, "Presence in busy rooms").
    view.notice(presenceSummary(detail.joins, detail.leaves ?? 0));
  } else if (detail.name !== client.name) {
    view.notice(`${detail.name} ${detail.event === 'join' ? 'joined' : 'left'}`);
  }
  sidebar.refreshRooms(client.room);
});

client.addEventListener('outbox', ({ detail }) => view.upsertPending(detail));
client.addEventListener('problem', ({ detail }) => showToast($('toasts'), detail.message));
client.addEventListener('nameTaken', ({ detail }) => {
  if (detail.joined) {
    // The rename was refused: the page goes back to the name we still have.
    sidebar.showMembers(roster.members, client.name, roster.count);
    $('name-input').value = client.name;
    prefs.name = client.name;
  }
  askForName(detail.message, detail.name);
});
client.addEventListener('name', ({ detail }) => {
  $('name-input').value = detail.name;
  for (const control of $('name-form').elements) control.disabled = detail.locked;
  $('name-locked').hidden = !detail.locked;
});

function showMembers(members, count) {
  roster = { members, count };
  sidebar.showMembers(members, client.name, count);
}

function presenceSummary(joins, leaves) {
  const parts = [];
  if (joins > 0) parts.push(`${joins} joined`);
  if (leaves > 0) parts.push(`${leaves} left`);
  return parts.join(', ');
}

/** Tells assistive technology that a batch of messages is one update, not N announcements. */
function withBusyLog(render) {
  const log = $('log');
  log.setAttribute('aria-busy', 'true');
  try {
    render();
  } finally {
    log.removeAttribute('aria-busy');
  }
}

function countUnread(n) {
  if (!document.hidden || n === 0) return;
  unread += n;
  updateTitle();
}

function updateTitle() {
  const room = `#${client.room} · Chat`;
  document.title = unread > 0 ? `(${unread}) ${room}` : room;
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  unread = 0;
  updateTitle();
});

// ---- user actions ---------------------------------------------------------------------------

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  client.send(text);
  input.value = '';
  fitComposer();
  input.focus();
});

input.addEventListener('keydown', (event) => {
  // isComposing: Enter confirms an IME candidate (Japanese, Chinese...) rather than sending.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

input.addEventListener('input', fitComposer);

function fitComposer() {
  $('send-button').disabled = input.value.trim() === '';
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

loadOlder.addEventListener('click', () => {
  const before = view.oldestId;
  if (before === undefined) return;
  if (client.loadOlder(before, HISTORY_PAGE)) loadOlder.disabled = true;
});

$('name-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = cleanName($('name-input').value);
  $('name-input').value = name;
  if (!name || name === client.name) return;
  rename(name);
  showToast($('toasts'), `You are now ${name}`, 'info');
});

function rename(name) {
  const old = client.name;
  prefs.name = name;
  $('name-input').value = name;
  client.rename(name);
  sidebar.rename(old, name);
}

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const room = cleanRoom($('room-input').value);
  if (!room) return;
  $('room-input').value = '';
  goToRoom(room);
});

addEventListener('hashchange', () => {
  const room = roomFromHash();
  if (room && client.name) goToRoom(room);
});

function goToRoom(room) {
  closeSidebar();
  if (room === client.room) return;
  prefs.room = room;
  showRoom(room);
  view.clear();
  loadOlder.hidden = true;
  showMembers([], undefined);
  client.switchRoom(room);
  input.focus();
}

function showRoom(room) {
  $('room-name').textContent = room;
  $('log').setAttribute('aria-label', `Messages in #${room}`);
  input.placeholder = `Message #${room}`;
  if (roomFromHash() !== room) history.replaceState(null, '', `#${encodeURIComponent(room)}`);
  unread = 0;
  // client.room is read by updateTitle; before start() it is still empty.
  document.title = `#${room} · Chat`;
}

// ---- members drawer (narrow screens) ---------------------------------------------------------

const toggle = $('sidebar-toggle');

function openSidebar() {
  $('app').classList.add('sidebar-open');
  $('backdrop').hidden = false;
  toggle.setAttribute('aria-expanded', 'true');
  $('sidebar').focus();
}

function closeSidebar() {
  if (!$('app').classList.contains('sidebar-open')) return;
  $('app').classList.remove('sidebar-open');
  $('backdrop').hidden = true;
  toggle.setAttribute('aria-expanded', 'false');
}

toggle.addEventListener('click', () => {
  if ($('app').classList.contains('sidebar-open')) closeSidebar();
  else openSidebar();
});
$('backdrop').addEventListener('click', closeSidebar);
$('sidebar-close').addEventListener('click', () => {
  closeSidebar();
  toggle.focus();
});
addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeSidebar();
});

// ---- start -----------------------------------------------------------------------------------

function start(name, room) {
  started = true;
  prefs.name = name;
  prefs.room = room;
  $('name-input').value = name;
  showRoom(room);
  client.start(name, room);
  fitComposer();
  input.focus();
}

let started = false;

function welcome(room) {
  $('welcome-room').value = room;
  $('welcome').showModal();
}

/** Someone else holds the name in the room: the same dialog, asking for another. */
function askForName(problem, refused) {
  $('welcome-title').textContent = 'Choose another name';
  $('welcome-text').textContent = problem;
  $('welcome-name').value = refused;
  // Only the name changes here: the room is the one that refused it.
  $('welcome-room').value = client.room;
  $('welcome-room').readOnly = true;
  const dialog = $('welcome');
  if (!dialog.open) dialog.showModal();
  $('welcome-name').select();
}

// The page is unusable without a name: Escape must not dismiss the dialog.
$('welcome').addEventListener('cancel', (event) => event.preventDefault());
$('welcome-form').addEventListener('submit', (event) => {
  const name = cleanName($('welcome-name').value);
  const chosen = cleanRoom($('welcome-room').value) || DEFAULT_ROOM;
  if (!name) {
    event.preventDefault();
    $('welcome-name').value = '';
    $('welcome-name').reportValidity();
    return;
  }
  if (!started) return start(name, chosen);
  rename(name);
});

const initialRoom = roomFromHash() || prefs.room || DEFAULT_ROOM;
if (prefs.name) start(prefs.name, initialRoom);
else welcome(initialRoom);
