// The waiting room's live broadcast (issue 13): one message per room per tick, whatever the crowd.
// The reservation subgraph publishes it; the gateway turns it into each subscriber's place in line.

/** `<prefix>_live.waiting-room.<screeningId>` → WaitingRoomTick (plain NATS, best effort, like the other live subjects). */
export const liveWaitingRoomSubject = (prefix: string, screeningId: string) => `${prefix}_live.waiting-room.${screeningId}`;

/** A room's counters as one tick (or a staff change) left them. */
export interface WaitingRoomTick {
  screeningId: string;
  /** False once staff turned the room off: everyone may choose seats without a pass. */
  enabled: boolean;
  /** Numbers up to this one may book (the "admitted up to N" counter, whole). */
  admittedUpTo: number;
  /** The last number handed out. */
  joined: number;
  ratePerSecond: number;
}

/** A customer's place, from their number and the room's counters: the same arithmetic everywhere. */
export interface PlaceInLine {
  screeningId: string;
  open: boolean;
  number: number | null;
  /** Customers to be admitted before you, you included (0: your turn has come). */
  position: number;
  admittedUpTo: number;
  /** Everyone still in line (joined − admitted). */
  waiting: number;
  ratePerSecond: number;
  estimatedWaitSeconds: number;
}

export function placeInLine(number: number | null, room: WaitingRoomTick): PlaceInLine {
  const position = room.enabled && number !== null ? Math.max(0, number - room.admittedUpTo) : 0;
  return {
    screeningId: room.screeningId,
    open: room.enabled,
    number: room.enabled ? number : null,
    position,
    admittedUpTo: room.admittedUpTo,
    waiting: Math.max(0, room.joined - room.admittedUpTo),
    ratePerSecond: room.ratePerSecond,
    estimatedWaitSeconds: position > 0 && room.ratePerSecond > 0 ? Math.ceil(position / room.ratePerSecond) : 0,
  };
}
