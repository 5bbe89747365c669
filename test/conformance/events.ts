/** What the raw client observed from the server, in arrival order. */
export type ServerEvent =
  /** `compressed` is present, and true, for a message the server sent with RSV1 (inflated here). */
  | { readonly type: 'message'; readonly binary: boolean; readonly data: Buffer; readonly compressed?: true }
  | { readonly type: 'ping'; readonly data: Buffer }
  | { readonly type: 'pong'; readonly data: Buffer }
  /** `code` is null when the close frame had no body. */
  | { readonly type: 'close'; readonly code: number | null; readonly reason: Buffer }
  /** The TCP connection ended (FIN or reset). */
  | { readonly type: 'tcp-close'; readonly reset: boolean }
  /** The server broke RFC 6455 (masked frame, bad UTF-8, bytes after close, ...). */
  | { readonly type: 'violation'; readonly message: string };

export function describeEvent(event: ServerEvent): string {
  switch (event.type) {
    case 'message':
      return `${event.compressed ? 'compressed ' : ''}${event.binary ? 'binary' : 'text'}(${describeBytes(event.data)})`;
    case 'ping':
    case 'pong':
      return `${event.type}(${describeBytes(event.data)})`;
    case 'close':
      return event.code === null
        ? 'close(no code)'
        : `close(${event.code}${event.reason.length > 0 ? `, ${JSON.stringify(event.reason.toString('latin1'))}` : ''})`;
    case 'tcp-close':
      return event.reset ? 'tcp-close(reset)' : 'tcp-close';
    case 'violation':
      return `server violation: ${event.message}`;
  }
}

export function describeEvents(events: readonly ServerEvent[]): string {
  return events.length === 0 ? 'nothing' : events.map(describeEvent).join(', ');
}

/** `5 bytes: 48 65 6c 6c 6f "Hello"`, shortened for large payloads. */
export function describeBytes(data: Buffer): string {
  const shown = data.subarray(0, 24);
  const hex = shown.toString('hex').replace(/(..)(?!$)/g, '$1 ');
  const printable = /^[\x20-\x7e]*$/.test(shown.toString('latin1')) ? ` "${shown.toString('latin1')}"` : '';
  const more = data.length > shown.length ? ' ...' : '';
  return data.length === 0 ? '0 bytes' : `${data.length} bytes: ${hex}${more}${more ? '' : printable}`;
}
