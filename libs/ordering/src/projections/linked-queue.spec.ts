import { LinkedQueue } from './linked-queue';

describe('LinkedQueue', () => {
  const filled = (...keys: string[]) => {
    const queue = new LinkedQueue<number>();
    keys.forEach((key, i) => queue.pushBack(key, i));
    return queue;
  };

  it('is first in, first out', () => {
    const queue = filled('a', 'b', 'c');
    expect(queue.peek()).toEqual(expect.objectContaining({ key: 'a', value: 0 }));
    expect([...queue.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('removes from the front, the middle and the back', () => {
    for (const [removed, rest] of [
      ['a', ['b', 'c']],
      ['b', ['a', 'c']],
      ['c', ['a', 'b']],
    ] as const) {
      const queue = filled('a', 'b', 'c');
      expect(queue.delete(removed)).toBe(true);
      expect([...queue.keys()]).toEqual(rest);
      expect(queue.size).toBe(2);
      expect(queue.peek()?.key).toBe(rest[0]);
    }
  });

  it('empties and refills', () => {
    const queue = filled('a');
    queue.delete('a');
    expect(queue.peek()).toBeUndefined();
    expect(queue.size).toBe(0);
    queue.pushBack('b', 1);
    queue.insertBefore('b', 'c', 2);
    expect([...queue.keys()]).toEqual(['c', 'b']);
  });

  it('puts an entry back at the front', () => {
    const queue = filled('a', 'b');
    queue.insertBefore(queue.peek()?.key, 'z', 9);
    expect([...queue.keys()]).toEqual(['z', 'a', 'b']);
  });

  it('inserts before a given entry, or at the back', () => {
    const queue = filled('a', 'c');
    queue.insertBefore('c', 'b', 9);
    queue.insertBefore('a', 'z', 9);
    queue.insertBefore(undefined, 'd', 9);
    expect([...queue.keys()]).toEqual(['z', 'a', 'b', 'c', 'd']);
    queue.delete('z');
    queue.delete('d');
    expect(queue.peek()?.key).toBe('a');
    expect([...queue.keys()]).toEqual(['a', 'b', 'c']);
    expect(() => queue.insertBefore('nope', 'e', 9)).toThrow(/nope is not queued/);
  });

  it('hands back what it takes out, and lists entries oldest first', () => {
    const queue = filled('a', 'b', 'c');
    expect(queue.take('b')).toEqual(expect.objectContaining({ key: 'b', value: 1 }));
    expect(queue.take('b')).toBeUndefined();
    expect([...queue.entries()].map(({ key, value }) => [key, value])).toEqual([
      ['a', 0],
      ['c', 2],
    ]);
  });

  it('gives every entry its place from the front, wherever it was put, and none to a missing key', () => {
    const queue = new LinkedQueue<number>();
    let next = 0;
    // Entries pushed at the back, put before others at the front, in the middle and at the
    // back, and taken from everywhere: after each change every place equals its index + 1.
    for (let round = 0; round < 200; round++) {
      const keys = [...queue.keys()];
      const someKey = keys[(round * 7) % Math.max(keys.length, 1)];
      if (round % 5 === 4 && someKey !== undefined) queue.delete(someKey);
      else if (round % 3 === 2) queue.insertBefore(someKey, `k${next}`, next++);
      else queue.pushBack(`k${next}`, next++);
      [...queue.keys()].forEach((key, index) => expect(queue.positionOf(key)).toBe(index + 1));
    }
    expect(queue.size).toBeGreaterThan(50);
    expect(queue.positionOf('nope')).toBeUndefined();
    expect(new LinkedQueue<number>().positionOf('nope')).toBeUndefined();
  });

  it('reports a missing key and refuses a duplicate', () => {
    const queue = filled('a');
    expect(queue.delete('nope')).toBe(false);
    expect(queue.get('a')).toBe(0);
    expect(queue.get('nope')).toBeUndefined();
    expect(() => queue.pushBack('a', 1)).toThrow(/already queued/);
  });
});
