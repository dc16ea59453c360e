import { seededStream } from '../../shared/simulation/random.js';

/**
 * Korean names, 010 numbers and birth dates for development and demo buyers,
 * deterministic from (seed, buyer number) so a replayed feed names the same
 * people. Hand-made lists: the most common surnames (by the 2015 census order)
 * and given names common across the birth years the feed draws.
 */
const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권', '황', '안', '송', '전', '홍', '유', '고', '문', '양', '손', '배', '백', '허', '남궁', '선우'];
/** Weights for the list above (roughly per-mille of the population; the two-letter surnames are rare). */
const SURNAME_WEIGHTS = [215, 147, 84, 47, 44, 23, 21, 20, 20, 16, 15, 15, 15, 15, 14, 14, 13, 13, 11, 11, 11, 9, 9, 9, 9, 8, 8, 6, 1, 1];
const GIVEN = [
  '민준', '서준', '도윤', '예준', '시우', '하준', '지호', '주원', '지훈', '준서', '건우', '현우', '우진', '선우', '서진',
  '서연', '서윤', '지우', '서현', '민서', '하은', '하윤', '윤서', '지민', '채원', '수빈', '지원', '은지', '수진', '혜진',
  '영수', '영호', '영철', '정수', '성호', '상철', '성민', '동현', '재현', '정훈', '미경', '영희', '순자', '정숙', '경숙',
  '길동', '민지', '유진', '지영', '현정', '은영', '미영', '성진', '광수', '명숙', '옥순', '상훈', '진호', '태호', '혜원',
];

export interface DemoIdentity {
  name: string;
  /** 010 then eight digits, no separators. */
  phone: string;
  /** YYYY-MM-DD, born 1945–2006 (adults at the sale). */
  birthDate: string;
}

const TOTAL_WEIGHT = SURNAME_WEIGHTS.reduce((a, b) => a + b, 0);
const DAY = 86_400_000;
const FIRST_BIRTH = Date.UTC(1945, 0, 1);
const LAST_BIRTH = Date.UTC(2006, 11, 31);

export function demoIdentity(seed: number, n: number): DemoIdentity {
  // A stream of this buyer's own, its seed mixing the feed's seed and the buyer's number: the feed's streams are
  // left untouched (its sales draw as before), and a buyer is named the same whatever else the feed draws.
  const r = seededStream(Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77));
  let pick = r.uniform() * TOTAL_WEIGHT;
  let s = 0;
  while (pick >= SURNAME_WEIGHTS[s]! && s < SURNAMES.length - 1) pick -= SURNAME_WEIGHTS[s++]!;
  const name = SURNAMES[s]! + GIVEN[r.below(GIVEN.length)]!;
  const phone = `010${String(r.below(1e8)).padStart(8, '0')}`;
  const born = FIRST_BIRTH + r.below((LAST_BIRTH - FIRST_BIRTH) / DAY) * DAY;
  return { name, phone, birthDate: new Date(born).toISOString().slice(0, 10) };
}
