// Every command of both executables with arguments that make it run (not just parse): for the audits that must
// cover all of them. A command added to a program without a line here fails the audit that lists them.
export const COMMANDS: Record<'fleet' | 'agent', Record<string, string[]>> = {
  fleet: {
    init: ['--profile', 'minimal'],
    start: [],
    stop: [],
    restart: [],
    status: [],
    verify: [],
    deliver: [],
    serve: [],
    capture: ['nosuch'],
    'install-systemd': ['--dry-run'],
    'install-tools': ['--dry-run'],
    demo: ['--rm'],
    top: ['--once'],
  },
  agent: {
    roster: [],
    status: [],
    send: ['nosuch', '-m', 'hello'],
    reset: ['nosuch'],
    tail: ['nosuch'],
    attach: ['nosuch'],
    broadcast: ['--all', '-m', 'hello'],
    log: [],
    inbox: ['--agent', 'nosuch'],
    reply: ['--agent', 'nosuch', '-m', 'hello'],
  },
};

/** Commands that have nothing to do with a roster: a missing one cannot be their error. */
export const ROSTERLESS = new Set(['fleet init', 'fleet install-tools', 'fleet demo']);
