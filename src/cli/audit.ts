import type { AppContext } from '../app/context.js';

/** Actor recorded in the audit log for actions of the command line. */
export const CLI_ACTOR = 'cli';

/** Records an admin action of the command line in the audit log. */
export async function recordCliAction(
  context: AppContext,
  action: string,
  target: string,
  details?: Record<string, unknown>,
): Promise<void> {
  await context.tenancy.audit.record({
    actor: CLI_ACTOR,
    action,
    target,
    ...(details === undefined ? {} : { details }),
  });
}
