// Strings that break naive remote command lines: each must arrive byte-identical, as one argument, inert.
export const HOSTILE_ARGS: string[] = [
  "it's",
  "'",
  "''",
  "\\'",
  'say "hi"',
  '$(touch /tmp/mft-pwned-dollar)',
  '`touch /tmp/mft-pwned-backtick`',
  'a; touch /tmp/mft-pwned-semicolon',
  'a && b || c | d & e',
  'line1\nline2',
  'trailing newline\n',
  '\n',
  '*',
  '~',
  '-n',
  '--',
  '-e',
  '',
  '  spaces around  ',
  'tab\there',
  'cr\r\nlf',
  '\\ backslash \\n \\c \\0101',
  '$HOME ${PATH} $1 $@',
  '<in >out 2>&1 ( ) { } [ ] ! # = %',
  'A=b',
  'if',
  '%s %d %%',
  'ünïcødé 🎉 中文',
];

/** A message body mixing all of them, as an agent might send it. */
export const HOSTILE_BODY = [
  "it's \"quoted\" `whoami` $(touch /tmp/mft-pwned-body); rm -rf ~ *",
  'second line with \\n and \\c and %s',
  '$HOME ${USER} && echo done || true',
].join('\n');

export const PWNED_FILES = ['/tmp/mft-pwned-dollar', '/tmp/mft-pwned-backtick', '/tmp/mft-pwned-semicolon', '/tmp/mft-pwned-body'];
