import type { RenderNode } from '@cloudexport/shared';
import { STATE_PILL } from '../fleet/node-state.js';

/** A node's state as a fixed-width pill; a disabled node's reason shows on hover and to screen readers. */
export function NodeStatePill({ node }: { node: Pick<RenderNode, 'state' | 'disabledReason'> }) {
  const reason = node.state === 'disabled' && node.disabledReason ? node.disabledReason : undefined;
  return (
    <span class={`pill ${STATE_PILL[node.state]}`} title={reason} data-testid="node-state">
      {node.state}
      {reason && <span class="visually-hidden">: {reason}</span>}
    </span>
  );
}
