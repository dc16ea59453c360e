import type { Issue } from '#shared/common/errors.js';
import { describeFailure } from '../errors.js';
import { errorText } from '../i18n.svelte.js';

/**
 * One form's call to the backend: the submit button held while it runs, and a refusal split into the issues
 * its fields show and one message for the rest.
 */
export class Submission {
  issues = $state<Issue[]>([]);
  message = $state('');
  busy = $state(false);

  clear(): void {
    this.message = '';
    this.issues = [];
  }

  /** A new password typed twice the same, else the mismatch stands on the confirmation field. */
  passwordsMatch(password: string, confirm: string): boolean {
    if (password !== confirm) this.issues = [{ path: 'confirm', code: 'setup.passwordMismatch', severity: 'error' }];
    return password === confirm;
  }

  async run(call: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await call();
    } catch (err) {
      ({ message: this.message, issues: this.issues } = describeFailure(err, errorText));
    } finally {
      this.busy = false;
    }
  }
}
