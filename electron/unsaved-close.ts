import { translate } from '../shared/i18n/index.js';

interface Preventable {
  preventDefault(): void;
}

/** The part of a webContents that reports a page refusing to unload. */
export interface UnloadGuardedContents {
  on(event: 'will-prevent-unload', listener: (event: Preventable) => void): unknown;
}

/** The question asked in a native box; answers the index of the button pressed. */
export type AskBox = (options: { type: 'question'; title: string; message: string; buttons: string[]; defaultId: number; cancelId: number }) => number;

const both = (key: string) => `${translate('ko', key)} / ${translate('en', key)}`;

/**
 * Closing the window while an editor holds unsaved changes: the renderer's
 * beforeunload refuses, and Electron (unlike a browser) would then silently
 * keep the window open with no word. Ask, in both languages (the main process
 * does not know which one the page shows); preventing the event lets the
 * window close after all.
 */
export function confirmUnsavedClose(contents: UnloadGuardedContents, ask: AskBox): void {
  contents.on('will-prevent-unload', (event) => {
    const choice = ask({
      type: 'question',
      title: both('roundForm.leaveTitle'),
      message: `${translate('ko', 'rounds.leaveUnsaved')}\n\n${translate('en', 'rounds.leaveUnsaved')}`,
      buttons: [both('roundForm.leaveGo'), both('roundForm.leaveStay')],
      defaultId: 1,
      cancelId: 1,
    });
    if (choice === 0) event.preventDefault();
  });
}
