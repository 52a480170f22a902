/**
 * The default of a switch that handles every member of a union (every event type, every command
 * kind): a member added to the union and not handled there fails to compile. At run time it
 * passes over what it is given, as a switch without a default did: a log written by a newer
 * release may hold an event type this one does not know.
 */
export function exhaustive(unhandled: never): void {
  void unhandled;
}
