import type { Recommendations } from './recommend.js';

/**
 * Which pieces of advice would change anything, so none is shown that does
 * not ("0명에게 일찍 안내", "로그아웃 0건" under a longer session): a
 * recommendation is a reason to act, and one that moves nobody is noise an
 * official would have to read and dismiss.
 */
export function recommendationEffects(r: Recommendations): { session: boolean; cutoff: boolean } {
  return {
    // Nobody waiting is logged out under the present timeout: lengthening it helps no one.
    session: r.session.baselineLogouts > 0,
    // Nobody told early, or under half a person-hour saved (shown as 0): the notice changes nothing.
    cutoff: r.cutoff.cutPeople > 0 && Math.round(r.cutoff.savedHours) > 0,
  };
}
