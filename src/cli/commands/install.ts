import { Command } from 'commander';
import { pc } from '../colors.js';
import { ExitCode } from '../../errors.js';
import type { FileReport, InstallSystemdReport } from '../../systemd/install.js';
import type { InstallToolsReport } from '../../tools/install.js';
import { helpFooter } from '../help.js';
import { action } from '../action.js';
import { examples } from '../common.js';
import { printJson, processIo, type Io } from '../io.js';

/** Add `install-systemd` and `install-tools` to the fleet program (or a `fleet` subcommand). */
export function addInstallCommands(cmd: Command, io: Io = processIo): Command {
  addInstallSystemd(cmd, io);
  addInstallTools(cmd, io);
  return cmd;
}

function addInstallSystemd(parent: Command, io: Io): void {
  const cmd = parent
    .command('install-systemd')
    .description('write systemd user units for the fleet (holder, agent template, fleet service) and one env file per agent')
    .addHelpText(
      'after',
      '\nmosaic-tmux-holder.service creates and owns the tmux server, so restarting an agent never kills the others;\n' +
        'stopping it stops the whole fleet. mosaic-serve.service runs the fleet service (mosaic-fleet serve) while the\n' +
        'holder runs. The mosaic-deliver.service of an older install is removed (with --enable: disabled and stopped first).',
    )
    .option('--unit-dir <dir>', 'where the units go (default: $XDG_CONFIG_HOME/systemd/user)')
    .option('--dry-run', 'show what would be written, changed or removed; write nothing')
    .option('--enable', 'then run systemctl --user daemon-reload and enable the holder, the service and every agent')
    .option('--roster <path>', 'roster file (default: $MOSAIC_FLEET_ROSTER or $MOSAIC_HOME/fleet/roster.yaml)')
    .option('--json', 'print one JSON document');
  examples(cmd, ['mosaic-fleet install-systemd --dry-run', 'mosaic-fleet install-systemd --enable', 'systemctl --user start mosaic-tmux-holder.service']);
  helpFooter(cmd, '0 written (and enabled), 3 usage, 4 systemctl failed, 5 roster invalid or missing', ['install.md', 'systemd user units (optional, recommended on servers)']);
  cmd.action(
    action(async (_io, opts: { unitDir?: string; dryRun?: boolean; enable?: boolean; roster?: string; json?: boolean }) => {
      const { installSystemd } = await import('../../systemd/install.js');
      const report = await installSystemd({
        ...(opts.unitDir ? { unitDir: opts.unitDir } : {}),
        ...(opts.roster ? { roster: opts.roster } : {}),
        dryRun: Boolean(opts.dryRun),
        enable: Boolean(opts.enable),
      });
      const ok = report.enable === undefined || report.enable.ok;
      if (opts.json) printJson(io, { ok, ...report });
      else printSystemdReport(io, report);
      return ok ? ExitCode.ok : ExitCode.transport;
    }, io),
  );
}

function addInstallTools(parent: Command, io: Io): void {
  const cmd = parent
    .command('install-tools')
    .description('write agent-send.sh and send-message.sh, drop-in replacements for the old tmux helpers, delegating to mosaic-agent send')
    .option('--dir <dir>', 'where the scripts go (default: $MOSAIC_HOME/tools/tmux)')
    .option('--dry-run', 'show what would be written; write nothing')
    .option('--json', 'print one JSON document');
  examples(cmd, ['mosaic-fleet install-tools', "~/.config/mosaic/tools/tmux/agent-send.sh -s '=coder0' -m 'status?'"]);
  helpFooter(cmd, '0 written, 3 usage', ['install.md', 'The compatibility tools: agent-send.sh and send-message.sh']);
  cmd.action(
    action(async (_io, opts: { dir?: string; dryRun?: boolean; json?: boolean }) => {
      const { installTools } = await import('../../tools/install.js');
      const report = installTools({ ...(opts.dir ? { dir: opts.dir } : {}), dryRun: Boolean(opts.dryRun) });
      if (opts.json) printJson(io, { ok: true, ...report });
      else printToolsReport(io, report);
      return ExitCode.ok;
    }, io),
  );
}

const STATUS_COLOR = { created: pc.green, updated: pc.green, unchanged: pc.dim, removed: pc.yellow } as const;

function statusWord(status: FileReport['status'], dryRun: boolean): string {
  if (!dryRun || status === 'unchanged') return status;
  return { created: 'would create', updated: 'would update', removed: 'would remove' }[status];
}

function printFiles(io: Io, files: { path: string; status: FileReport['status']; foreign?: boolean; backup?: string; replacedBy?: string }[], dryRun: boolean): void {
  const width = dryRun ? 12 : 9;
  for (const f of files) {
    const removed = f.replacedBy ? ` (replaced by ${f.replacedBy})` : ' (agent no longer in the roster)';
    const note = f.status === 'removed' ? removed : f.foreign ? ` (replaces a file not written by mosaic-fleet${f.backup ? `, saved as ${f.backup}` : ''})` : '';
    io.out(`  ${STATUS_COLOR[f.status](statusWord(f.status, dryRun).padEnd(width))} ${f.path}${note}`);
  }
}

function printSystemdReport(io: Io, report: InstallSystemdReport): void {
  io.out(`systemd units for ${report.rosterPath} (socket ${report.socket}, ${report.agents.length} agent${report.agents.length === 1 ? '' : 's'})${report.dryRun ? ', dry run' : ''}:`);
  printFiles(io, report.files, report.dryRun);
  for (const f of report.files) {
    if (f.content !== undefined) io.out(`\n${pc.dim(`--- ${f.path}`)}\n${f.content}`);
  }
  for (const s of report.skipped) io.out(`  ${pc.dim('skipped'.padEnd(9))} ${s.agent}: ${s.reason}`);
  for (const w of report.warnings) io.err(`${pc.yellow('warning:')} ${w}`);
  if (report.enable) {
    for (const step of report.enable.steps) io.out(`  ${step.ok ? pc.green('ran') : pc.red('failed')} ${step.command}`);
    if (!report.enable.ok) {
      io.err(`${pc.red('error:')} ${report.enable.error ?? 'enabling the units failed'}`);
      if (report.enable.hint) io.err(`${pc.dim('hint:')} ${report.enable.hint}`);
    }
  }
  if (report.next.length > 0) io.out(`next:\n${report.next.map((c) => `  $ ${c}`).join('\n')}`);
}

function printToolsReport(io: Io, report: InstallToolsReport): void {
  io.out(`tmux helpers in ${report.dir} (node ${report.nodePath})${report.dryRun ? ', dry run' : ''}:`);
  printFiles(io, report.files, report.dryRun);
}
