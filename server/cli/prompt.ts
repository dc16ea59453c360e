import { stdin, stdout } from 'node:process';

/**
 * Asks for a secret on the terminal without echoing it. Only when stdin is a
 * terminal: a script gets a clear error instead of a prompt nobody answers.
 */
export function promptSecret(question: string): Promise<string> {
  if (!stdin.isTTY) return Promise.reject(new Error(`${question.replace(/:\s*$/, '')} is needed, and stdin is not a terminal to ask on`));
  return new Promise((resolve, reject) => {
    stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stdout.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function promptLine(question: string): Promise<string> {
  if (!stdin.isTTY) return Promise.reject(new Error(`${question.replace(/:\s*$/, '')} is needed, and stdin is not a terminal to ask on`));
  return new Promise((resolve) => {
    stdout.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');
    stdin.once('data', (line: string) => {
      stdin.pause();
      resolve(line.trim());
    });
  });
}
