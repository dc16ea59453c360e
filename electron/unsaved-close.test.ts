import { describe, expect, it } from 'vitest';
import { confirmUnsavedClose, type AskBox } from './unsaved-close.js';

function harness(answer: number) {
  let listener: ((e: { preventDefault(): void }) => void) | undefined;
  const asked: Parameters<AskBox>[0][] = [];
  confirmUnsavedClose({ on: (_e, l) => (listener = l) }, (o) => (asked.push(o), answer));
  let prevented = false;
  listener!({ preventDefault: () => (prevented = true) });
  return { prevented, asked };
}

describe('closing the window with unsaved changes', () => {
  it('closes only when the user picks Leave (preventing the refusal lets the window unload)', () => {
    expect(harness(0).prevented).toBe(true);
    expect(harness(1).prevented).toBe(false);
  });

  it('asks in Korean and English, with Stay as the default and the Escape answer', () => {
    const { asked } = harness(1);
    expect(asked[0]!.buttons).toEqual(['떠나기 / Leave', '머무르기 / Stay']);
    expect(asked[0]!.message).toContain('저장하지 않은 변경이 있습니다');
    expect(asked[0]!.message).toContain('You have unsaved changes');
    expect(asked[0]!).toMatchObject({ defaultId: 1, cancelId: 1 });
  });
});
