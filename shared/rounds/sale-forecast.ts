/**
 * When a live sale will sell out, recomputed from its live state at each
 * refresh. Method: the pace of the last few minutes (won sold over the last
 * `windowMinutes` complete minutes plus the part of the current minute that
 * has passed, divided by that time) carried forward over the stock left —
 * a linear extrapolation of the recent sale curve. The recent pace rather
 * than the average since opening, because steering (a pause, a new admission
 * rate) changes the pace and the forecast must follow it within minutes.
 */
export interface SellOutForecast {
  /** Won per minute the forecast assumes. */
  wonPerMinute: number;
  /** When the stock left is gone at that pace (ms); null when nothing is selling or nothing is left. */
  soldOutAtMs: number | null;
  /** The pace runs past the closing time: stock will be left at closing. */
  afterClose: boolean;
}

export interface LiveCurve {
  nowMs: number;
  opensAtMs: number;
  closesAtMs: number;
  left: number;
  /** Won sold per minute; index 0 is `firstMinute` minutes after the opening minute. */
  soldPerMinute: number[];
  firstMinute: number;
}

export const FORECAST_WINDOW_MINUTES = 5;

export function sellOutForecast(c: LiveCurve, windowMinutes = FORECAST_WINDOW_MINUTES): SellOutForecast {
  const openMinute = Math.floor(c.opensAtMs / 60_000);
  const nowMinute = Math.floor(c.nowMs / 60_000);
  // The current minute counts for the part of it that has passed; before the opening nothing sells.
  const partial = (c.nowMs - nowMinute * 60_000) / 60_000;
  const fromMinute = Math.max(openMinute, nowMinute - windowMinutes);
  let won = 0;
  for (let m = fromMinute; m <= nowMinute; m++) won += c.soldPerMinute[m - openMinute - c.firstMinute] ?? 0;
  const minutes = Math.max(0, Math.min(nowMinute - fromMinute + partial, (c.nowMs - c.opensAtMs) / 60_000));
  const wonPerMinute = minutes > 0 ? won / minutes : 0;
  if (c.left <= 0 || wonPerMinute <= 0) return { wonPerMinute, soldOutAtMs: null, afterClose: c.left > 0 };
  const soldOutAtMs = Math.round(c.nowMs + (c.left / wonPerMinute) * 60_000);
  return { wonPerMinute, soldOutAtMs, afterClose: soldOutAtMs > c.closesAtMs };
}
