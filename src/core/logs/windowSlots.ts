/**
 * Five-minute slots of a short window (3 hours or less), counted from the window's start so
 * each slot is whole: the last hour is twelve slots of five minutes, where clock hours would
 * give a bar of ten minutes beside one of fifty. A longer window has none (its hours suffice).
 */

const SLOT_MS = 5 * 60_000;
/** Windows up to this long get slots: 36 of them at most. */
const SLOT_WINDOW_MS = 3 * 3600_000;

export class WindowSlots<T> {
  private readonly slots: T[];

  /** `from` and `to`: the window, NaN for an open end (no slots then). */
  constructor(
    private readonly from: number,
    to: number,
    create: () => T,
  ) {
    const span = to - from;
    const count = span > 0 && span <= SLOT_WINDOW_MS ? Math.ceil(span / SLOT_MS) : 0;
    this.slots = Array.from({ length: count }, create);
  }

  /** Whether the window is short enough to have slots. */
  get active(): boolean {
    return this.slots.length > 0;
  }

  /** The slot of a time in the window (the window's end falls in its last slot). */
  get(time: number): T | undefined {
    const index = Math.min(this.slots.length - 1, Math.floor((time - this.from) / SLOT_MS));
    return index >= 0 ? this.slots[index] : undefined;
  }

  /** Every slot with its start (epoch ms), in order, the quiet ones too. */
  rows(): [number, T][] {
    return this.slots.map((slot, index) => [this.from + index * SLOT_MS, slot]);
  }

  snapshot<D>(toData: (slot: T) => D): D[] {
    return this.slots.map(toData);
  }

  /** Adds the slots of a builder over the same window. */
  absorb<D>(state: D[], fromData: (data: D) => T, add: (into: T, from: T) => void): void {
    state.forEach((data, index) => {
      if (index < this.slots.length) add(this.slots[index], fromData(data));
    });
  }
}
