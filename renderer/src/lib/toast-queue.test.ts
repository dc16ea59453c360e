import { describe, expect, it } from 'vitest';
import { addToast, lifetime, MAX_VISIBLE, visibleToasts, withoutError, type Toast } from './toast-queue.js';

describe('toast queue', () => {
  it('puts the newest on top and merges an identical message with a count', () => {
    let list: Toast[] = [];
    list = addToast(list, 'success', 'saved', 1).list;
    list = addToast(list, 'error', 'refused', 2).list;
    expect(list.map((t) => t.text)).toEqual(['refused', 'saved']);
    const again = addToast(list, 'success', 'saved', 3);
    expect(again.id).toBe(1);
    expect(again.list.map((t) => [t.text, t.count])).toEqual([
      ['saved', 2],
      ['refused', 1],
    ]);
    // Same text, other kind: a different message.
    expect(addToast(again.list, 'error', 'saved', 4).list).toHaveLength(3);
  });

  it('shows at most three and counts the rest', () => {
    let list: Toast[] = [];
    for (let i = 1; i <= 5; i++) list = addToast(list, 'info', `m${i}`, i).list;
    const v = visibleToasts(list);
    expect(v.shown.map((t) => t.text)).toEqual(['m5', 'm4', 'm3']);
    expect(v.shown).toHaveLength(MAX_VISIBLE);
    expect(v.hidden).toBe(2);
  });

  it('keeps errors until closed; the rest leave by themselves', () => {
    expect(lifetime('error')).toBeNull();
    expect(lifetime('success')).toBeGreaterThan(0);
    expect(lifetime('info')).toBeGreaterThan(0);
  });

  it('withdraws an error whose cause is gone, and only that error', () => {
    const list: Toast[] = [
      { id: 3, kind: 'success', text: 'done', count: 1 },
      { id: 2, kind: 'error', text: 'fix the fields', count: 2 },
      { id: 1, kind: 'error', text: 'refused', count: 1 },
    ];
    expect(withoutError(list, 'fix the fields').map((t) => t.id)).toEqual([3, 1]);
    // A success or info with the same words is not an error to withdraw.
    expect(withoutError([{ id: 4, kind: 'info', text: 'fix the fields', count: 1 }], 'fix the fields')).toHaveLength(1);
  });
});
