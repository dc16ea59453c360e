import { describe, expect, it } from 'vitest';
import { ArrayPool, EventHeap, TaggedFifo, WaitingLine } from './structures.js';

describe('WaitingLine', () => {
  it('keeps the place push named after the front is dropped and the line grows', () => {
    const line = new WaitingLine(4);
    const place = new Map<number, number>();
    // Ten people join; the first six leave from the front as they would on admission, making room twice.
    for (let id = 0; id < 10; id++) {
      place.set(id, line.push(id));
      if (id % 2 === 1) {
        line.held[line.head] = 0;
        line.head++;
      }
    }
    // Places are handed out in joining order, 0, 1, 2, … whatever moved underneath.
    expect([...place.values()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let id = 5; id < 10; id++) {
      const k = place.get(id)! - line.shifted;
      expect(line.ids[k]).toBe(id);
      expect(line.held[k]).toBe(1);
    }
    expect(line.size).toBe(5);
  });

  it('tells a left place from a held one by its flag alone', () => {
    const line = new WaitingLine(2);
    const a = line.push(7);
    const b = line.push(8);
    line.held[a - line.shifted] = 0;
    line.push(9); // makes room: slides or grows
    expect(line.held[a - line.shifted]).toBe(0);
    expect(line.ids[b - line.shifted]).toBe(8);
    expect(line.held[b - line.shifted]).toBe(1);
  });

  it("keeps each place's joining time and first-stint flag with it as the line slides and grows", () => {
    const line = new WaitingLine(4);
    const place: number[] = [];
    // People 0..11 join at 10·id seconds, odd ones on a later stint; every third leaves from the front.
    for (let id = 0; id < 12; id++) {
      place.push(line.push(id, 10 * id, id % 2 ? WaitingLine.AGAIN : WaitingLine.FIRST));
      if (id % 3 === 2) {
        line.held[line.head] = 0;
        line.head++;
      }
    }
    for (let id = 4; id < 12; id++) {
      const k = place[id]! - line.shifted;
      expect(line.ids[k]).toBe(id);
      expect(line.marks[k]).toBe(10 * id);
      expect(line.held[k]).toBe(id % 2 ? WaitingLine.AGAIN : WaitingLine.FIRST);
    }
  });

  it("moves a place's joining time and flag with its person when two swap", () => {
    const line = new WaitingLine(4);
    line.push(1, 100, WaitingLine.FIRST);
    line.push(2, 200, WaitingLine.AGAIN);
    line.swap(0, 1);
    expect([line.ids[0], line.marks[0], line.held[0]]).toEqual([2, 200, WaitingLine.AGAIN]);
    expect([line.ids[1], line.marks[1], line.held[1]]).toEqual([1, 100, WaitingLine.FIRST]);
  });
});

describe('ArrayPool', () => {
  it('hands a kept buffer back zeroed, and a fresh array while the slot is taken or too small', () => {
    const pool = new ArrayPool(1 << 20);
    const a = pool.take(0, Float32Array, 100);
    a.fill(7);
    // Taken and not given back: another run gets an array of its own.
    const other = pool.take(0, Float32Array, 100);
    expect(other.buffer).not.toBe(a.buffer);
    pool.give(0, a);
    const b = pool.take(0, Float32Array, 60);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(60);
    expect(b.every((v) => v === 0)).toBe(true);
    pool.give(0, b);
    // Bigger than what is kept: fresh.
    expect(pool.take(0, Float32Array, 1_000).buffer).not.toBe(a.buffer);
    // Above the limit, nothing is kept.
    const big = new ArrayPool(100);
    const c = big.take(1, Uint8Array, 200);
    big.give(1, c);
    expect(big.take(1, Uint8Array, 200).buffer).not.toBe(c.buffer);
  });
});

describe('reset', () => {
  it('empties the line, FIFOs and heap as if new, keeping their room', () => {
    const line = new WaitingLine(2);
    for (let id = 0; id < 5; id++) {
      line.push(id, id);
      line.held[line.head] = 0;
      line.head++;
    }
    line.push(9, 9); // slides: shifted > 0
    expect(line.shifted).toBeGreaterThan(0);
    const room = line.ids.length;
    line.reset();
    expect([line.size, line.ids.length]).toEqual([0, room]);
    // Places are named from 0 again, as in a new line.
    expect(line.push(3, 30)).toBe(0);
    expect(line.push(4, 40)).toBe(1);
    expect([line.ids[0], line.marks[1]]).toEqual([3, 40]);

    const fifo = new TaggedFifo(2, true);
    fifo.push(1, 1, 1);
    fifo.push(2, 1, 2);
    fifo.head++;
    fifo.reset();
    expect(fifo.size).toBe(0);
    fifo.push(5, 2, 7);
    expect([fifo.ids[fifo.head], fifo.tags[fifo.head], fifo.times[fifo.head]]).toEqual([5, 2, 7]);

    const heap = new EventHeap(2);
    heap.push(3, 1, 0);
    heap.push(1, 2, 0);
    heap.reset();
    expect(heap.topTime).toBe(Infinity);
    heap.push(5, 7, 1);
    expect([heap.topTime, heap.topId]).toEqual([5, 7]);
  });
});
