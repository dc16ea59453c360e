import { t } from './i18n.svelte.js';
import { setLeaveGuard } from './router.svelte.js';

/**
 * While a form has unsaved changes, leaving it inside the app asks first (not while it is being saved: the save
 * navigates away itself), and closing the window or tab warns. Call during a component's set-up.
 */
export function guardUnsaved(dirty: () => boolean, saving: () => boolean): void {
  $effect(() => {
    setLeaveGuard(dirty() && !saving() ? () => window.confirm(t('rounds.leaveUnsaved')) : null);
    return () => setLeaveGuard(null);
  });
  $effect(() => {
    if (!dirty()) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  });
}

/** The time now, ticking each minute while the calling component lives (an opening that passes is said then). */
export function minuteClock(): { readonly now: Date } {
  let now = $state(new Date());
  $effect(() => {
    const timer = setInterval(() => (now = new Date()), 60_000);
    return () => clearInterval(timer);
  });
  return {
    get now() {
      return now;
    },
  };
}
