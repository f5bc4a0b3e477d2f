import type { NodeState } from '@cloudexport/shared';

/** The pill colour of each node state (classes in styles.css). */
export const STATE_PILL: Record<NodeState, string> = {
  starting: 'busy',
  online: 'ok',
  busy: 'run',
  draining: 'warn',
  offline: '',
  disabled: 'bad',
};

/** The order states sort in: working nodes first, the ones needing a look last. */
export const STATE_RANK: Record<NodeState, number> = { busy: 0, online: 1, starting: 2, draining: 3, offline: 4, disabled: 5 };

/** What a person can do with a node in this state; the server has the last word (and says why). A revoked node takes none. */
export function nodeActions(state: NodeState, admin: boolean, revoked = false): { drain: boolean; disable: boolean; enable: boolean } {
  if (revoked) return { drain: false, disable: false, enable: false };
  return {
    drain: state !== 'draining' && state !== 'disabled',
    disable: admin && state !== 'disabled',
    // owners may undo their own pause; only an admin lifts a disable
    enable: state === 'draining' || (admin && state === 'disabled'),
  };
}
