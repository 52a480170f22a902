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
    queue.pushFront('c', 2);
    expect([...queue.keys()]).toEqual(['c', 'b']);
  });

  it('puts an entry back at the front', () => {
    const queue = filled('a', 'b');
    queue.pushFront('z', 9);
    expect([...queue.keys()]).toEqual(['z', 'a', 'b']);
  });

  it('reports a missing key and refuses a duplicate', () => {
    const queue = filled('a');
    expect(queue.delete('nope')).toBe(false);
    expect(queue.get('a')).toBe(0);
    expect(queue.get('nope')).toBeUndefined();
    expect(() => queue.pushBack('a', 1)).toThrow(/already queued/);
  });
});
