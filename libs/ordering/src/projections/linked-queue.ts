interface Node<V> {
  readonly key: string;
  readonly value: V;
  prev?: Node<V>;
  next?: Node<V>;
}

/**
 * A FIFO with O(1) push at the back or before any entry, O(1) take of the oldest and O(1)
 * removal by key: a doubly linked list indexed by a Map. (An array would need shift/splice scans.)
 */
export class LinkedQueue<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private head?: Node<V>;
  private tail?: Node<V>;

  get size(): number {
    return this.nodes.size;
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  /** The oldest entry, left in place. */
  peek(): { key: string; value: V } | undefined {
    return this.head;
  }

  pushBack(key: string, value: V): void {
    this.insertBefore(undefined, key, value);
  }

  /** Inserts the entry just before the one keyed `before`; at the back when `before` is undefined. */
  insertBefore(before: string | undefined, key: string, value: V): void {
    if (this.nodes.has(key)) throw new Error(`${key} is already queued`);
    const next = before === undefined ? undefined : this.nodes.get(before);
    if (before !== undefined && !next) throw new Error(`${before} is not queued`);
    const node: Node<V> = { key, value, next, prev: next ? next.prev : this.tail };
    this.nodes.set(key, node);
    if (node.prev) node.prev.next = node;
    else this.head = node;
    if (next) next.prev = node;
    else this.tail = node;
  }

  /**
   * Inserts the entry before the first one it `precedes`, walking from the front; at the back
   * when it precedes none. O(entries walked): for keeping a few late-comers in order.
   */
  insertInOrder(key: string, value: V, precedes: (queued: V) => boolean): void {
    let before: string | undefined;
    for (const entry of this.entries()) {
      if (precedes(entry.value)) {
        before = entry.key;
        break;
      }
    }
    this.insertBefore(before, key, value);
  }

  /** Removes the entry; returns whether it was there. */
  delete(key: string): boolean {
    return this.take(key) !== undefined;
  }

  /** Removes the entry and returns it, if it was there. */
  take(key: string): { key: string; value: V } | undefined {
    const node = this.nodes.get(key);
    if (!node) return undefined;
    this.nodes.delete(key);
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    return node;
  }

  /**
   * 1 for the oldest; undefined when the key is not queued. Walks from the entry towards both
   * ends at once and counts from whichever it reaches first, so O(the nearer end): an order
   * just placed, whose place `POST /order/` reports, is at the back and costs one step, however
   * long the queue.
   */
  positionOf(key: string): number | undefined {
    const node = this.nodes.get(key);
    if (!node) return undefined;
    let steps = 0;
    for (let ahead = node.prev, behind = node.next; ; ahead = ahead.prev, behind = behind.next) {
      if (!ahead) return steps + 1;
      if (!behind) return this.nodes.size - steps;
      steps++;
    }
  }

  *keys(): IterableIterator<string> {
    for (const { key } of this.entries()) yield key;
  }

  /** Oldest first. */
  *entries(): IterableIterator<{ key: string; value: V }> {
    for (let node = this.head; node; node = node.next) yield node;
  }
}
