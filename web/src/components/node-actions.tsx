import type { RenderNode } from '@cloudexport/shared';
import { call } from '../api/client.js';
import { nodeActions } from '../fleet/node-state.js';
import { ConfirmButton } from './confirm-button.js';

/**
 * Drain / Disable / Enable for admins; Pause / Resume (the same drain and enable) for the node's
 * owner. What each does is in nodeActionsHint (short questions keep a table row one line). Each asks first, and shows the server's refusal beside itself. `onChanged` gets the
 * node as the server answered, so the row updates before the live event arrives.
 */
/** What the actions do, said once near the buttons. */
export function nodeActionsHint(admin: boolean): string {
  return admin
    ? 'Drain: the node finishes its chunk, then takes no more. Disable: it stops now and its chunk goes to another node. Enable: it takes work again.'
    : 'Pause a node before you game or work on it: it finishes its chunk, then takes no more until you resume it.';
}

/**
 * Revoke, on the node page only (for good, so never one click from a table row): its keys stop
 * working at once and the machine must enroll again with a new token. Its history stays.
 */
export function RevokeNode({ node, onChanged }: { node: RenderNode; onChanged: (node: RenderNode) => void }) {
  if (node.revoked) return null;
  return (
    <ConfirmButton
      testId="node-revoke"
      danger
      label="Revoke"
      confirm={`Revoke “${node.name}” for good? It stops now and must enroll again to render.`}
      action={() => call('revokeNode', { params: { id: node.id } }).then(onChanged)}
    />
  );
}

export function NodeActions({ node, admin, onChanged }: { node: RenderNode; admin: boolean; onChanged: (node: RenderNode) => void }) {
  const can = nodeActions(node.state, admin, node.revoked);
  const params = { id: node.id };
  const name = `“${node.name}”`;
  // keyed: a button that changes meaning in place must not keep the other's "are you sure?"
  return (
    <span class="node-actions">
      {can.drain && (
        <ConfirmButton
          key="drain"
          testId="node-drain"
          label={admin ? 'Drain' : 'Pause'}
          confirm={admin ? `Drain ${name}?` : `Pause ${name}?`}
          action={() => call('drainNode', { params }).then(onChanged)}
        />
      )}
      {can.enable && (
        <ConfirmButton
          key="enable"
          testId="node-enable"
          label={admin ? 'Enable' : 'Resume'}
          confirm={admin ? `Enable ${name}?` : `Resume ${name}?`}
          action={() => call('enableNode', { params }).then(onChanged)}
        />
      )}
      {can.disable && (
        <ConfirmButton
          key="disable"
          testId="node-disable"
          danger
          label="Disable"
          confirm={`Disable ${name} now?`}
          action={() => call('disableNode', { params }).then(onChanged)}
        />
      )}
      {node.revoked && <span class="muted">Revoked: enroll the machine again to render on it.</span>}
      {!admin && !node.revoked && node.state === 'disabled' && <span class="muted">Disabled by an admin{node.disabledReason ? `: ${node.disabledReason}` : ''}. Ask an admin to enable it.</span>}
    </span>
  );
}
