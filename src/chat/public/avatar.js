/** A stable hue per name (FNV-1a), so a person keeps their colour across sessions. */
export function hueFor(name) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/** Decorative initial in a coloured circle; the name itself is always shown next to it. */
export function avatarFor(name) {
  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  avatar.textContent = (Array.from(name.trim())[0] ?? '?').toUpperCase();
  avatar.style.setProperty('--hue', String(hueFor(name)));
  return avatar;
}
