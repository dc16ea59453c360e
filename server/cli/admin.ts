import { translate } from '../../shared/i18n/index.js';
import { passwordProblem } from '../../shared/node/auth/password-policy.js';
import { promptSecret } from './prompt.js';

const USERNAME = /^[a-z0-9._-]{3,32}$/;

/**
 * `--admin USER`: the first administrator's name on the command line, the
 * password from ISSUANCE_ADMIN_PASSWORD or a prompt. A password on the command
 * line is refused: every user of the machine can read it in the process list.
 */
export async function adminFromArgs(value: string, env: NodeJS.ProcessEnv = process.env): Promise<{ username: string; password: string }> {
  // ISSUANCE_SERVER_ADMIN names the user the same way, so one rule serves both.
  if (value.includes(':')) {
    throw new Error(
      '--admin (and ISSUANCE_SERVER_ADMIN) takes a username only: a password on the command line is visible to every user of this machine in the process list. ' +
        'Use --admin USER and set ISSUANCE_ADMIN_PASSWORD, or type the password when asked.',
    );
  }
  const username = value.trim().toLowerCase();
  if (!USERNAME.test(username)) throw new Error('--admin needs a username of 3–32 characters: lowercase letters, digits, . _ -');
  const password = env.ISSUANCE_ADMIN_PASSWORD || (await promptSecret(`Password for the new administrator ${username}: `));
  if (password.length > 200) throw new Error('the administrator password needs at most 200 characters');
  // The same policy as every other account: long enough, not built on the name, not common, zxcvbn score 3 or more.
  const weak = passwordProblem(password, { username, displayName: username });
  if (weak) throw new Error(`--admin: ${translate('en', weak.key, weak.params)} / ${translate('ko', weak.key, weak.params)}`);
  return { username, password };
}
