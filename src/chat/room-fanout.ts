import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { FANOUT_RECORDER, type FanoutRecorder } from '../metrics/fanout-recorder.js';
import { CHAT_BUS, type ChatBus } from './bus/chat-bus.js';
import { roomOf, type ChatEvent } from './bus/chat-events.js';
import { compareMessageIds } from './bus/message-id.js';
import { SOCKET_OPEN, type ChatSocket } from './chat-socket.js';
import { ConnectionRegistry, type Membership } from './connection-registry.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { EventFrames, renderEvent } from './event-rendering.js';
import { OutgoingFrame } from './outgoing-frame.js';

/**
 * Delivers bus events to the members of the room connected to this instance. Each event is
 * rendered and framed once per protocol and the same bytes go to every member (but the
 * sender's own connections, which get a message with its `ref` rendered once more); a closed or
 * slow member is skipped, never awaited (the connection's send buffer limit deals with slow
 * peers). With metrics in the app, each event's fan-out time and copies written are recorded.
 */
@Injectable()
export class RoomFanout implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RoomFanout.name);
  private subscription: Subscription | undefined;

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(CHAT_BUS) private readonly bus: ChatBus,
    @Inject(CHAT_OPTIONS) private readonly options: Pick<ResolvedChatOptions, 'textEscapeHtml'>,
    @Optional() @Inject(FANOUT_RECORDER) private readonly recorder?: FanoutRecorder,
  ) {}

  onModuleInit(): void {
    this.subscription = this.bus.events$.subscribe((event) => this.deliver(event));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  deliver(event: ChatEvent): void {
    const members = this.registry.membersOf(roomOf(event));
    if (members === undefined) return;
    const started = performance.now();
    let recipients = 0;
    const frames = new EventFrames(event, this.options.textEscapeHtml);
    for (const membership of members) {
      if (membership.pending !== null) {
        membership.pending.push(event);
        continue;
      }
      if (event.type === 'message' && membership.resumeAfter !== undefined) {
        if (compareMessageIds(event.message.id, membership.resumeAfter) <= 0) continue;
        // Ids grow per room: everything after this one is new to the member too.
        membership.resumeAfter = undefined;
      }
      const { socket, kind } = membership.connection;
      if (socket.readyState !== SOCKET_OPEN) continue;
      const frame = frames.for(kind, membership.connection.senderId);
      if (frame !== null && this.write(socket, frame)) recipients++;
    }
    this.recorder?.record(started, recipients);
  }

  /**
   * Ends the join of `membership`: sends the messages that arrived while its reply was being
   * prepared and are newer than `cursor` (the newest id the reply covered), then delivers
   * live, still skipping messages up to `cursor` that the bus has not delivered yet. Buffered
   * presence is dropped: the reply's member list already reflects it.
   */
  release(membership: Membership, cursor: string | undefined): void {
    const pending = membership.pending;
    membership.pending = null;
    if (pending === null) return;
    membership.resumeAfter = cursor;
    const { socket, kind, senderId } = membership.connection;
    for (const event of pending) {
      if (event.type !== 'message') continue;
      if (cursor !== undefined && compareMessageIds(event.message.id, cursor) <= 0) continue;
      if (socket.readyState !== SOCKET_OPEN) return;
      const rendered = renderEvent(event, kind, this.options.textEscapeHtml, senderId);
      if (rendered !== null) this.write(socket, new OutgoingFrame(rendered));
    }
  }

  /** False when the socket threw (and got nothing). */
  private write(socket: ChatSocket, frame: OutgoingFrame): boolean {
    try {
      frame.writeTo(socket);
      return true;
    } catch (error) {
      // One broken socket must not cost the rest of the room its copy.
      this.logger.warn(`dropped a room event for one client: ${(error as Error).message}`);
      return false;
    }
  }
}
