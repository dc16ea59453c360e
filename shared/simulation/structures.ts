/**
 * A FIFO of (person, tag, time) in typed arrays. Entries can go stale (the
 * person left the queue): readers check the tag against the person's current
 * one and skip, so removal from the middle is O(1). The time is the entry's
 * due time where it has one, kept here so the head can be read without
 * touching the person's own (scattered) state.
 */
export class TaggedFifo {
  ids: Int32Array;
  tags: Uint8Array;
  times: Float64Array;
  head = 0;
  tail = 0;

  constructor(
    capacity = 1024,
    private readonly timed = false,
  ) {
    this.ids = new Int32Array(capacity);
    this.tags = new Uint8Array(capacity);
    this.times = new Float64Array(timed ? capacity : 0);
  }

  get size(): number {
    return this.tail - this.head;
  }

  /** Empty again, keeping the room it grew to (entries are read only between head and tail). */
  reset(): void {
    this.head = this.tail = 0;
  }

  push(id: number, tag: number, time = 0): void {
    if (this.tail === this.ids.length) this.makeRoom();
    this.ids[this.tail] = id;
    this.tags[this.tail] = tag;
    if (this.timed) this.times[this.tail] = time;
    this.tail++;
  }

  private makeRoom(): void {
    // An untimed FIFO's times stay empty: sliding or doubling an empty array leaves it empty.
    [this.ids, this.tags, this.times] = slid([this.ids, this.tags, this.times], this.head, this.tail);
    this.tail -= this.head;
    this.head = 0;
  }
}

type Column = Int32Array | Uint8Array | Float64Array;

/**
 * A FIFO's columns with their live entries [head, tail) slid to the start: in place, or into columns
 * twice as long when at least half of the first is in use (so a FIFO grows only when it is full of
 * live entries, not of entries already read).
 */
function slid<A extends Column[]>(columns: [...A], head: number, tail: number): A {
  const grow = (tail - head) * 2 > columns[0]!.length;
  return columns.map((c) => {
    if (!grow) return c.copyWithin(0, head, tail);
    const next = new (c.constructor as new (length: number) => Column)(c.length * 2);
    next.set(c.subarray(head, tail));
    return next;
  }) as A;
}

/** Binary min-heap of (time, person, tag) in typed arrays: checkout completions, whose times are random. */
export class EventHeap {
  private times: Float64Array;
  private ids: Int32Array;
  private tags: Uint8Array;
  size = 0;

  constructor(capacity = 1024) {
    this.times = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.tags = new Uint8Array(capacity);
  }

  /** Empty again, keeping the room it grew to. */
  reset(): void {
    this.size = 0;
  }

  get topTime(): number {
    return this.size > 0 ? this.times[0]! : Infinity;
  }
  get topId(): number {
    return this.ids[0]!;
  }
  get topTag(): number {
    return this.tags[0]!;
  }

  push(time: number, id: number, tag: number): void {
    if (this.size === this.times.length) {
      const n = this.times.length * 2;
      const t = new Float64Array(n);
      t.set(this.times);
      const i = new Int32Array(n);
      i.set(this.ids);
      const g = new Uint8Array(n);
      g.set(this.tags);
      this.times = t;
      this.ids = i;
      this.tags = g;
    }
    const times = this.times;
    const ids = this.ids;
    const tags = this.tags;
    let k = this.size++;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (times[parent]! <= time) break;
      times[k] = times[parent]!;
      ids[k] = ids[parent]!;
      tags[k] = tags[parent]!;
      k = parent;
    }
    times[k] = time;
    ids[k] = id;
    tags[k] = tag;
  }

  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const times = this.times;
    const ids = this.ids;
    const tags = this.tags;
    const time = times[n]!;
    const id = ids[n]!;
    const tag = tags[n]!;
    let k = 0;
    for (;;) {
      let child = 2 * k + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1]! < times[child]!) child++;
      if (times[child]! >= time) break;
      times[k] = times[child]!;
      ids[k] = ids[child]!;
      tags[k] = tags[child]!;
      k = child;
    }
    times[k] = time;
    ids[k] = id;
    tags[k] = tag;
  }
}

/**
 * The waiting line: people in joining order, and per place a flag saying it is still held (its person
 * has not left since) and the moment it was taken. Leaving clears the flag where the person stood, so a
 * place is told held or stale from this array alone, never from the person's own state scattered over
 * arrays of every visitor: the uniform pick of who gives up probes up to four places for each one that is
 * held. The flag also says whether the place is its person's first stint in the line (FIRST) or a later
 * one (AGAIN): a first stint's leaver has waited and spent nothing before it, so the engine sets those
 * rather than reading them, and with the place's own joining time in `marks`, someone picked to give up
 * costs a read of the line alone, not a second read (dependent on the first) of their scattered record.
 * `shifted` counts the places makeRoom dropped from the front, so `index + shifted` names a place until
 * the line is compacted.
 */
export class WaitingLine {
  static readonly FIRST = 1;
  static readonly AGAIN = 2;
  ids: Int32Array;
  held: Uint8Array;
  marks: Float64Array;
  head = 0;
  tail = 0;
  shifted = 0;

  constructor(capacity = 1024) {
    this.ids = new Int32Array(capacity);
    this.held = new Uint8Array(capacity);
    this.marks = new Float64Array(capacity);
  }

  get size(): number {
    return this.tail - this.head;
  }

  /**
   * Empty again, keeping the room it grew to: places are read only between head and tail, and a place is
   * named relative to `shifted`, so how much room there is changes no place's meaning, only when the line
   * slides.
   */
  reset(): void {
    this.head = this.tail = this.shifted = 0;
  }

  /** Adds a held place at the back, taken at `mark`, flagged FIRST or AGAIN; returns where it is (index + shifted). */
  push(id: number, mark = 0, flag: number = WaitingLine.FIRST): number {
    if (this.tail === this.ids.length) this.makeRoom();
    this.ids[this.tail] = id;
    this.held[this.tail] = flag;
    this.marks[this.tail] = mark;
    return this.tail++ + this.shifted;
  }

  /** Swaps the people at two places; a place's flag and joining time are its person's and move with them. */
  swap(a: number, b: number): void {
    const id = this.ids[a]!;
    this.ids[a] = this.ids[b]!;
    this.ids[b] = id;
    const h = this.held[a]!;
    this.held[a] = this.held[b]!;
    this.held[b] = h;
    const m = this.marks[a]!;
    this.marks[a] = this.marks[b]!;
    this.marks[b] = m;
  }

  private makeRoom(): void {
    [this.ids, this.held, this.marks] = slid([this.ids, this.held, this.marks], this.head, this.tail);
    this.shifted += this.head;
    this.tail -= this.head;
    this.head = 0;
  }
}

type ArrayType<T> = { new (length: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A run's per-person arrays, kept for the next run on the same thread: a warm worker runs one sale after
 * another, and allocating tens of megabytes of fresh arrays for each (zeroed pages faulted in, then freed
 * by the collector) cost more than zeroing the last run's. One buffer a slot; a run takes it, so a run
 * started while another holds it gets fresh arrays; buffers above `limitBytes` are not kept.
 */
export class ArrayPool {
  private readonly spare: (ArrayBuffer | null)[] = [];
  constructor(private readonly limitBytes: number) {}

  /** `n` zeros of type `C`: slot's kept buffer if it is big enough, else a fresh array. */
  take<T extends Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array>(slot: number, C: ArrayType<T>, n: number): T {
    const kept = this.spare[slot];
    if (kept && kept.byteLength >= n * C.BYTES_PER_ELEMENT) {
      this.spare[slot] = null;
      const a = new C(kept, 0, n);
      a.fill(0);
      return a;
    }
    return new C(n);
  }

  /** The run that took `a` is over and keeps no reference to it. */
  give(slot: number, a: Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array): void {
    const b = a.buffer as ArrayBuffer;
    const kept = this.spare[slot];
    if (b.byteLength <= this.limitBytes && (!kept || kept.byteLength < b.byteLength)) this.spare[slot] = b;
  }
}
