/**
 * Resident population per Seoul district, for the per-resident figures of the
 * district report. Source: 행정안전부 주민등록 인구통계 (jumin.mois.go.kr),
 * registered residents (거주자, 거주불명자, 재외국민; registered foreigners not
 * included) at the end of December 2023, entered by hand. Update with the
 * yearly figures; `POPULATION_AS_OF` is shown under the report so a reader
 * knows their age.
 *
 * Checked on 2026-11-26 against what could be found published:
 * - 송파구: 654,166 at the end of 2023 (송파구's own announcement of the 행정안전부
 *   figure, reported by 조선일보 on 2024-01-25,
 *   https://v.daum.net/v/20240125111513745); the hand-typed 654,943 was wrong and is fixed.
 *   Consistent with 658,801 at the end of 2022 (조선일보 2023-03-06) less the 4,636 fewer it reports.
 * - The other 24 districts could not be matched to a published end-2023 table
 *   (no copy of the 행정안전부 monthly table was reachable); they are still as
 *   typed and must be checked against jumin.mois.go.kr (주민등록 인구 및 세대현황,
 *   2023-12, 서울특별시, 시군구) before per-resident figures are published.
 */
export const POPULATION_AS_OF = '2023-12-31';
/** The month the figures are for. The source's name is in the catalogs (reports.populationSource), in the reader's language. */
export const POPULATION_MONTH = POPULATION_AS_OF.slice(0, 7);

export const DISTRICT_POPULATION: Readonly<Record<string, number>> = {
  '11110': 139_417, // 종로구
  '11140': 121_312, // 중구
  '11170': 217_194, // 용산구
  '11200': 281_289, // 성동구
  '11215': 339_996, // 광진구
  '11230': 358_679, // 동대문구
  '11260': 385_349, // 중랑구
  '11290': 435_037, // 성북구
  '11305': 289_374, // 강북구
  '11320': 309_578, // 도봉구
  '11350': 500_094, // 노원구
  '11380': 465_350, // 은평구
  '11410': 310_543, // 서대문구
  '11440': 372_745, // 마포구
  '11470': 434_351, // 양천구
  '11500': 562_194, // 강서구
  '11530': 401_671, // 구로구
  '11545': 230_348, // 금천구
  '11560': 374_324, // 영등포구
  '11590': 381_889, // 동작구
  '11620': 487_125, // 관악구
  '11650': 402_004, // 서초구
  '11680': 556_330, // 강남구
  '11710': 654_166, // 송파구 (checked, see above)
  '11740': 461_380, // 강동구
};

/** Won per resident, rounded down; null where the population is not known. */
export function perResident(amount: number, districtCode: string): number | null {
  const p = DISTRICT_POPULATION[districtCode];
  return p ? Math.floor(amount / p) : null;
}
