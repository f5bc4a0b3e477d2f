/** A state change the transition table does not allow: always a bug, or a race lost to another writer. */
export class IllegalTransitionError extends Error {
  readonly kind: 'job' | 'chunk';
  readonly from: string;
  readonly to: string;

  constructor(kind: 'job' | 'chunk', from: string, to: string) {
    super(`Illegal ${kind} transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
    this.kind = kind;
    this.from = from;
    this.to = to;
  }
}
