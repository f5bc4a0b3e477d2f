// The coordinator's answers to the agent's questions, validated like every inbound payload: the
// agent acts on a ticket or an upload list only once it matches the shared schema.
import { assemblyTicketSchema, bundleTicketSchema, outputUploadsSchema } from '@cloudexport/shared';
import type { BundleOpenAnswer } from './project-source.js';
import type { AssemblyOpenAnswer, OutputBeginAnswer } from './chunk-channel.js';

type Refusal = { ok: false; code?: string; message?: string };

function refusal(raw: unknown, what: string): { ok: false; message: string } | null {
  if (raw === null || raw === undefined) return { ok: false, message: `no answer to ${what} (the coordinator is unreachable or did not reply in time)` };
  if (typeof raw !== 'object') return { ok: false, message: `the coordinator answered ${what} with something that is not an answer` };
  const r = raw as Refusal | { ok: true };
  if (r.ok === true) return null;
  return { ok: false, message: `${r.message ?? 'refused'}${r.code ? ` (${r.code})` : ''}` };
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'answer'}: ${i.message}`)
    .join('; ');
}

/** bundle:open's answer, validated: the ticket, or why not. */
export function bundleOpenAnswer(raw: unknown): BundleOpenAnswer {
  const refused = refusal(raw, 'bundle:open');
  if (refused) return refused;
  const ticket = bundleTicketSchema.safeParse((raw as { ticket?: unknown }).ticket);
  if (!ticket.success) return { ok: false, message: `its bundle ticket is invalid (${issues(ticket.error)})` };
  return { ok: true, ticket: ticket.data };
}

/** output:begin's answer, validated: where each file goes, or why not. */
export function outputBeginAnswer(raw: unknown): OutputBeginAnswer {
  const refused = refusal(raw, 'output:begin');
  if (refused) return refused;
  const uploads = outputUploadsSchema.safeParse(raw);
  if (!uploads.success) return { ok: false, message: `its upload list is invalid (${issues(uploads.error)})` };
  return { ok: true, uploads: uploads.data.uploads };
}

/** assembly:open's answer, validated: every input of the deliverable, or why not. */
export function assemblyOpenAnswer(raw: unknown): AssemblyOpenAnswer {
  const refused = refusal(raw, 'assembly:open');
  if (refused) return refused;
  const ticket = assemblyTicketSchema.safeParse((raw as { ticket?: unknown }).ticket);
  if (!ticket.success) return { ok: false, message: `its assembly ticket is invalid (${issues(ticket.error)})` };
  return { ok: true, ticket: ticket.data };
}
