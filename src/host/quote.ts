// ssh joins its arguments into ONE string that the remote login shell parses. These helpers are the only way
// a remote command line is built: every argv element becomes one single-quoted POSIX word, nothing is interpolated.

/** One argv element as a single POSIX shell word: wrapped in '…', each ' written as '\'' . */
export function shellQuote(arg: string): string {
  // A NUL cannot cross: argv strings end at it, so the remote would run something other than what we asked.
  if (arg.includes('\0')) throw new Error('a command argument cannot contain a NUL byte');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The remote command line for argv: each element quoted, joined by spaces (even the program name, so no
 *  reserved word, alias or assignment syntax can apply to it). */
export function remoteCommandLine(argv: string[]): string {
  if (argv.length === 0) throw new Error('remote command: empty argv');
  return argv.map(shellQuote).join(' ');
}
