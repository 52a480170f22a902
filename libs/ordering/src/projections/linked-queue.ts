interface Node<V> {
  readonly key: string;
  readonly value: V;
  prev?: Node<V>;
  next?: Node<V>;
}

/**
 * A FIFO with O(1) push at either end, O(1) take of the oldest and O(1) removal by key:
 * a doubly linked list indexed by a Map. (An array would need shift/splice scans.)
 */
export class LinkedQueue<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private head?: Node<V>;
  private tail?: Node<V>;

  get size(): number {
    return this.nodes.size;
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  /** The oldest entry, left in place. */
  peek(): { key: string; value: V } | undefined {
    return this.head;
  }

  pushBack(key: string, value: V): void {
    const node: Node<V> = { key, value, prev: this.tail };
    this.insert(node);
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
  }

  pushFront(key: string, value: V): void {
    const node: Node<V> = { key, value, next: this.head };
    this.insert(node);
    if (this.head) this.head.prev = node;
    else this.tail = node;
    this.head = node;
  }

  /** Removes the entry; returns whether it was there. */
  delete(key: string): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    this.nodes.delete(key);
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    return true;
  }

  *keys(): IterableIterator<string> {
    for (let node = this.head; node; node = node.next) yield node.key;
  }

  private insert(node: Node<V>): void {
    if (this.nodes.has(node.key)) throw new Error(`${node.key} is already queued`);
    this.nodes.set(node.key, node);
  }
}
