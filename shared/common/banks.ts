/**
 * The banks a partial refund can be paid to, by the three-digit codes of the
 * KFTC interbank network (금융결제원 금융공동망 은행코드), hand-written from the
 * published code list (checked against two public listings, 2023-11 and 2025).
 * A picked bank, not typed text: "신한", "신한 은행" and "shinhan" were one bank
 * typed three ways, and a transfer file needs the code anyway.
 */
export interface Bank {
  code: string;
  ko: string;
  en: string;
}

export const KOREAN_BANKS: readonly Bank[] = [
  { code: '004', ko: 'KB국민은행', en: 'KB Kookmin Bank' },
  { code: '088', ko: '신한은행', en: 'Shinhan Bank' },
  { code: '020', ko: '우리은행', en: 'Woori Bank' },
  { code: '081', ko: '하나은행', en: 'Hana Bank' },
  { code: '011', ko: 'NH농협은행', en: 'NH NongHyup Bank' },
  { code: '012', ko: '지역 농·축협', en: 'Local NongHyup (member co-ops)' },
  { code: '003', ko: 'IBK기업은행', en: 'IBK Industrial Bank of Korea' },
  { code: '002', ko: 'KDB산업은행', en: 'KDB Korea Development Bank' },
  { code: '007', ko: 'Sh수협은행', en: 'Sh Suhyup Bank' },
  { code: '023', ko: 'SC제일은행', en: 'SC First Bank' },
  { code: '027', ko: '한국씨티은행', en: 'Citibank Korea' },
  { code: '031', ko: 'iM뱅크(대구은행)', en: 'iM Bank (Daegu Bank)' },
  { code: '032', ko: '부산은행', en: 'Busan Bank' },
  { code: '034', ko: '광주은행', en: 'Kwangju Bank' },
  { code: '035', ko: '제주은행', en: 'Jeju Bank' },
  { code: '037', ko: '전북은행', en: 'Jeonbuk Bank' },
  { code: '039', ko: '경남은행', en: 'Kyongnam Bank' },
  { code: '045', ko: '새마을금고', en: 'MG Saemaul Geumgo' },
  { code: '048', ko: '신협', en: 'Shinhyup (credit unions)' },
  { code: '050', ko: '저축은행', en: 'Savings banks' },
  { code: '064', ko: '산림조합', en: 'Forestry co-ops' },
  { code: '071', ko: '우체국', en: 'Korea Post' },
  { code: '089', ko: '케이뱅크', en: 'K Bank' },
  { code: '090', ko: '카카오뱅크', en: 'KakaoBank' },
  { code: '092', ko: '토스뱅크', en: 'Toss Bank' },
];

/** The bank a request names, by its code or its Korean name as the list spells it; undefined for anything else. */
export function findBank(codeOrName: string): Bank | undefined {
  const s = codeOrName.trim();
  return KOREAN_BANKS.find((b) => b.code === s || b.ko === s);
}

export function bankName(code: string, lang: string): string {
  const b = findBank(code);
  return b ? (lang === 'ko' ? b.ko : b.en) : code;
}
