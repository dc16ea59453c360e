import { i18n, t } from '../i18n.svelte.js';

/** What a typed day box tells the keyboard and the user: a digit pad in Korean, the format it reads, no autofill. */
export function dayFieldHints(): { inputmode: 'numeric' | 'text'; autocomplete: 'off'; placeholder: string; title: string } {
  return { inputmode: i18n.lang === 'ko' ? 'numeric' : 'text', autocomplete: 'off', placeholder: t('dates.dayPlaceholder'), title: t('dates.dayHelp') };
}
