/** The 25 autonomous districts of Seoul, keyed by their 법정동 code prefix. */
export interface District {
  readonly code: string;
  readonly ko: string;
  readonly en: string;
}

export const DISTRICTS: readonly District[] = [
  { code: '11110', ko: '종로구', en: 'Jongno-gu' },
  { code: '11140', ko: '중구', en: 'Jung-gu' },
  { code: '11170', ko: '용산구', en: 'Yongsan-gu' },
  { code: '11200', ko: '성동구', en: 'Seongdong-gu' },
  { code: '11215', ko: '광진구', en: 'Gwangjin-gu' },
  { code: '11230', ko: '동대문구', en: 'Dongdaemun-gu' },
  { code: '11260', ko: '중랑구', en: 'Jungnang-gu' },
  { code: '11290', ko: '성북구', en: 'Seongbuk-gu' },
  { code: '11305', ko: '강북구', en: 'Gangbuk-gu' },
  { code: '11320', ko: '도봉구', en: 'Dobong-gu' },
  { code: '11350', ko: '노원구', en: 'Nowon-gu' },
  { code: '11380', ko: '은평구', en: 'Eunpyeong-gu' },
  { code: '11410', ko: '서대문구', en: 'Seodaemun-gu' },
  { code: '11440', ko: '마포구', en: 'Mapo-gu' },
  { code: '11470', ko: '양천구', en: 'Yangcheon-gu' },
  { code: '11500', ko: '강서구', en: 'Gangseo-gu' },
  { code: '11530', ko: '구로구', en: 'Guro-gu' },
  { code: '11545', ko: '금천구', en: 'Geumcheon-gu' },
  { code: '11560', ko: '영등포구', en: 'Yeongdeungpo-gu' },
  { code: '11590', ko: '동작구', en: 'Dongjak-gu' },
  { code: '11620', ko: '관악구', en: 'Gwanak-gu' },
  { code: '11650', ko: '서초구', en: 'Seocho-gu' },
  { code: '11680', ko: '강남구', en: 'Gangnam-gu' },
  { code: '11710', ko: '송파구', en: 'Songpa-gu' },
  { code: '11740', ko: '강동구', en: 'Gangdong-gu' },
];

const byCode = new Map(DISTRICTS.map((d) => [d.code, d]));

export const DISTRICT_CODES = DISTRICTS.map((d) => d.code) as [string, ...string[]];

export function findDistrict(code: string | null | undefined): District | undefined {
  return code ? byCode.get(code) : undefined;
}

export function districtName(code: string | null | undefined, lang: string): string {
  const d = findDistrict(code);
  if (!d) return code ?? '';
  return lang === 'ko' ? d.ko : d.en;
}
