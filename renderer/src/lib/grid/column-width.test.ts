import { describe, expect, it } from 'vitest';
import { columnMinWidth, textWidth } from './column-width.js';

describe('grid column widths', () => {
  it('gives a column room for its header and its widest value', () => {
    // Measured in Chromium at 13px Inter/Pretendard: "Discount subsidy" ≈ 105px, "₩216,460,000" ≈ 88px.
    expect(textWidth('Discount subsidy')).toBeGreaterThanOrEqual(100);
    expect(textWidth('₩216,460,000')).toBeGreaterThanOrEqual(80);
    expect(textWidth('할인 지원금')).toBeGreaterThan(textWidth('subsidy'));
    expect(columnMinWidth('Discount subsidy', ['₩15,152,200'])).toBeGreaterThanOrEqual(165);
    expect(columnMinWidth('판매액', ['₩216,460,000', '₩1,000'])).toBeGreaterThanOrEqual(110);
    expect(columnMinWidth('구매자')).toBe(Math.max(90, textWidth('구매자', 13.5) + 64));
  });
});
