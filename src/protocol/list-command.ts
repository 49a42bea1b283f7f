import { InputError } from '../input-error.js';
import type { Command } from './args.js';
import type { Session } from './session.js';

export async function runList(_session: Session, _command: Extract<Command, { kind: 'list' }>): Promise<number> {
  throw new InputError('arguments', 'list is not available yet');
}
