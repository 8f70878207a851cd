import { Command } from 'commander';

/** Add the fleet-wide commands to `cmd`: the `mosaic-fleet` program itself, or a `fleet` subcommand. */
export function addFleetCommands(cmd: Command): Command {
  return cmd;
}

/** Mount the fleet-wide commands into an existing commander program as `fleet`. */
export function registerFleetCommands(program: Command): Command {
  const fleet = program.command('fleet').description('manage the fleet: init, start, stop, restart, status, verify, ...');
  return addFleetCommands(fleet);
}
