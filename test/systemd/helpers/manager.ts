// Tests on the real user manager (src/testbed/systemd-user.ts): a failure carries the manager's log and the status
// of every fleet unit, the stand-in for `journalctl --user` on a normal login.
import type { TestUserManager } from '../../../src/testbed/systemd-user.js';

/** Run a test body; if it throws, append the manager's report to the error message. */
export async function withJournal(m: TestUserManager, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    e.message = `${e.message}\n${await m.report()}`;
    throw e;
  }
}
