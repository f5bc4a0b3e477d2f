/** A state change the transition table does not allow; never written, always a bug or a race lost. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly kind: 'job' | 'chunk',
    readonly from: string,
    readonly to: string,
  ) {
    super(`Illegal ${kind} transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}
