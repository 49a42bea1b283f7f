#!/usr/bin/env -S node --max-semi-space-size=8
// The flag: a read keeps little alive (a page in flight), yet V8's young generation grows to
// 3 x 16 MiB by default, most of a long read's peak RSS. At 8 MiB a 1,000,000-row read peaks at
// ~116 MB instead of ~155 MB, for ~3% more CPU (`npm run bench`). It must be given at start-up
// (V8 sizes the heap before any script runs), hence here and in the Dockerfile's ENTRYPOINT.
import { InputError } from './input-error.js';
import { KeapError } from './keap/errors.js';
import { parseArgs, USAGE, type Command } from './protocol/args.js';
import { Session } from './protocol/session.js';
import { VERSION } from './protocol/version.js';

// Commands are imported when used: `spec` should not pay for the sandbox's data generators.

/** argv -> command -> exit code; nothing else. 0 ok, 1 the sync failed, 2 bad input, 128 + n stopped by signal n. */
async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`tap-infusionsoft: ${(err as Error).message}\n`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      process.stderr.write(`${USAGE}\n`);
      return command.misuse ? 2 : 0;
    case 'version':
      process.stdout.write(`tap-infusionsoft ${VERSION}\n`);
      return 0;
    case 'sandbox':
      return (await import('./sandbox/cli.js')).runSandboxCommand(command.args);
    case 'auth':
      return (await import('./protocol/auth-command.js')).runAuth(command.args);
    default:
      break;
  }
  const dialect = 'dialect' in command ? command.dialect : command.kind === 'about' || command.kind === 'list' ? 'singer' : 'airbyte';
  const session = new Session(dialect);
  session.handleSignals();
  let code: number;
  try {
    switch (command.kind) {
      case 'spec':
        code = (await import('./protocol/spec-command.js')).runSpec(session);
        break;
      case 'check':
        code = await (await import('./protocol/commands.js')).runCheck(session, command.config);
        break;
      case 'discover':
        code = await (await import('./protocol/commands.js')).runDiscover(session, command.dialect, command.config);
        break;
      case 'read':
        code = await (await import('./protocol/commands.js')).runRead(session, command.dialect, command.config, command.catalog, command.state);
        break;
      case 'about':
        code = (await import('./protocol/about.js')).runAbout(session, command.format);
        break;
      case 'list':
        code = await (await import('./protocol/list-command.js')).runList(session, command);
        break;
    }
  } catch (err) {
    code = report(session, err);
  }
  await session.writer.end();
  return session.exitCode(code);
}

/** Everything that escapes a command ends here as one line (and an Airbyte trace), never a stack. */
function report(session: Session, err: unknown): number {
  if (err instanceof InputError || err instanceof KeapError) {
    const failure = err instanceof KeapError ? err.failureType : 'config_error';
    if (session.dialect === 'airbyte') session.airbyte.error(err.message, failure);
    session.stderr.line(`tap-infusionsoft: ${err.message}`);
    return err instanceof InputError ? 2 : 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (session.dialect === 'airbyte') session.airbyte.error(`internal error: ${e.message}`, 'system_error');
  session.stderr.line(`tap-infusionsoft: internal error: ${e.message}`);
  if (process.env['TAP_INFUSIONSOFT_DEBUG']) session.stderr.line(e.stack ?? '');
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tap-infusionsoft: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
