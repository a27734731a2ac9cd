// Passwords for the CLI: from stdin (--password-stdin, first line, for scripts), or typed
// twice at a terminal without echo. Never from an argument, which would land in the
// shell history and the process list.
import { UsageError } from './args';

export interface Io {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function readStdinPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  if (!line) throw new UsageError('--password-stdin: stdin is empty');
  return line;
}

export async function promptNewPassword(io: Io): Promise<string> {
  if (!io.stdin.isTTY) throw new UsageError('no terminal to prompt for a password: use --password-stdin or --generate');
  const first = await promptHidden(io, 'New password: ');
  const second = await promptHidden(io, 'Repeat password: ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

function promptHidden(io: Io, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = io.stdin;
    io.stderr.write(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
