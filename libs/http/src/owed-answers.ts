import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Answers each connection still owes: pipelined requests queue theirs behind the first. */
const owed = new WeakMap<Socket, number>();

/**
 * Counts `response` as owed on its connection until it is written. Once its server has
 * stopped listening, a connection that owes nothing more is ended: the drain's last answers
 * go out, then the client hears the close.
 */
export function owe(response: ServerResponse): void {
  const socket = response.req.socket;
  owed.set(socket, (owed.get(socket) ?? 0) + 1);
  response.once('finish', () => {
    const left = (owed.get(socket) ?? 1) - 1;
    owed.set(socket, left);
    const server = (socket as Socket & { server?: Server }).server;
    if (left === 0 && server?.listening === false) socket.end();
  });
}

/** True while an answer counted by `owe` is not yet written on `socket`. */
export function owesAnswers(socket: Socket): boolean {
  return (owed.get(socket) ?? 0) > 0;
}
