import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** Why the server itself closed a connection (so its request is not taken for a client abort). */
export type CutOffReason = 'request_too_slow';

const cutOff = new WeakMap<Socket, CutOffReason>();

/** The reason the server closed this socket, if it did. */
export function cutOffReason(socket: Socket | null | undefined): CutOffReason | undefined {
  return socket ? cutOff.get(socket) : undefined;
}

/**
 * Cuts off a request whose body arrives slower than `minBytesPerSec`, judged over each window of
 * `windowMs` (the idle timeout only catches silence; a byte a second is never silent). A window in
 * which the server itself was behind (bytes waiting unread in the socket or request buffers, e.g. a
 * slow store applying back-pressure) is not held against the client. Returns the stop function; it
 * also stops by itself when the body is complete or the request closes.
 */
export function guardTransferRate(raw: IncomingMessage, minBytesPerSec: number, windowMs: number): () => void {
  const socket = raw.socket as Socket | null;
  if (minBytesPerSec <= 0 || !socket || raw.complete) return () => {};
  const minPerWindow = (minBytesPerSec * windowMs) / 1000;
  let mark = socket.bytesRead;
  const timer = setInterval(() => {
    if (raw.complete || socket.destroyed) return stop();
    const got = socket.bytesRead - mark;
    mark = socket.bytesRead;
    const serverBehind = socket.readableLength > 0 || raw.readableLength > 0 || raw.isPaused();
    if (got >= minPerWindow || serverBehind) return;
    cutOff.set(socket, 'request_too_slow');
    stop();
    socket.destroy();
  }, windowMs);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
    raw.off('end', stop);
    raw.off('close', stop);
  }
  raw.once('end', stop);
  raw.once('close', stop);
  return stop;
}
