import type { Command } from 'commander';
import { action } from '../action.js';
import { addCommonOptions, contextFrom, examples, untilInterrupted } from '../common.js';
import { COMMON_EXITS, helpFooter } from '../help.js';
import { parseSeconds } from '../parse.js';
import { printJson } from '../io.js';

/** `mosaic-fleet serve`: the fleet service (docs/service.md). */
export function addServeCommand(parent: Command): void {
  const cmd = parent
    .command('serve')
    .description('run the fleet service: one tmux connection, fair per-agent queues, queued-message delivery, supervision, events')
    .option('--interval <seconds>', 'seconds between passes over queued messages', '2')
    .option('--json', 'print one JSON document when it stops (errors included)');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet serve', 'systemctl --user start mosaic-serve.service   # what install-systemd sets up']);
  helpFooter(cmd, `0 stopped by a signal, 1 the tmux server went away, 8 another service already serves this roster, ${COMMON_EXITS}`, ['service.md']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const ctx = await contextFrom(opts);
      // A service serves one roster: without one there is nothing to serve.
      ctx.roster(true);
      const { FleetService } = await import('../../service/server.js');
      const { connectControl } = await import('../../tmux/control.js');
      const { createSupervisor } = await import('../../service/supervisor.js');
      const { shippedTmuxConf } = await import('../../paths.js');
      const service = new FleetService(ctx, {
        deliverIntervalMs: parseSeconds(String(opts.interval), '--interval') * 1000,
        log: (line) => io.err(line),
        // One tmux control-mode client on the fleet's server, attached to the holder session.
        supervise: (serviceCtx, publish) => createSupervisor(serviceCtx, { onEvent: (e) => publish('supervision', { ...e, event: e.kind }) }),
        connect: (socket, session) => connectControl({ local: ctx.localHost, socket, configFile: shippedTmuxConf(), session, env: ctx.env, log: (line) => io.err(line) }),
      });
      await service.start();
      await untilInterrupted((signal) => service.run(signal));
      io.err('mosaic-fleet serve: stopped');
      if (opts.json) printJson(io, { ok: true, stopped: true, pid: process.pid });
      return 0;
    }),
  );
}
