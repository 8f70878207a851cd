// Every test process starts outside any tmux client and with a private tmux socket directory,
// so even a "default" server in a test is a private one and the developer's servers are unreachable.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

delete process.env.TMUX;
delete process.env.TMUX_PANE;
delete process.env.MOSAIC_TMUX_SOCKET;
delete process.env.MOSAIC_FLEET_ROSTER;
// Ledger, roster and caches follow each test's temp HOME.
delete process.env.XDG_STATE_HOME;
delete process.env.XDG_CONFIG_HOME;
delete process.env.MOSAIC_HOME;
delete process.env.MOSAIC_LEDGER_DIR;
// The roster cache goes to a private directory, never the developer's ~/.cache.
process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'mft-cache-'));
// Fleet service sockets go to a private runtime dir too.
process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'mft-run-'));
if (!process.env.MOSAIC_TEST_KEEP_TMUX_TMPDIR) {
  process.env.TMUX_TMPDIR = mkdtempSync(join(tmpdir(), 'mft-tmux-'));
}
