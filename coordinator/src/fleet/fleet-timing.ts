/** How often agents heartbeat, how long a lease lasts, how often lapsed leases are swept. */
export interface FleetTiming {
  heartbeatIntervalMs: number;
  /** A chunk's lease; each heartbeat renews it. Lapsed → requeued (within lease + sweep). */
  leaseMs: number;
  sweepIntervalMs: number;
  /** A node that disconnects keeps its chunk this long, to ride out a blip. */
  disconnectGraceMs: number;
  /** How long an agent has to accept an assignment. */
  assignTimeoutMs: number;
  /** After a coordinator (re)start, held chunks keep their lease this long, so agents can reconnect. */
  restartGraceMs: number;
}

/** Leases lapse at most 10 s + 1 s sweep after a node's last sign of life: under the 15 s promise. */
export const DEFAULT_FLEET_TIMING: FleetTiming = {
  heartbeatIntervalMs: 3_000,
  leaseMs: 10_000,
  sweepIntervalMs: 1_000,
  disconnectGraceMs: 3_000,
  assignTimeoutMs: 5_000,
  restartGraceMs: 30_000,
};

/** A node failing this many chunks in a row, across jobs, is quarantined (disabled). */
export const QUARANTINE_AFTER_FAILURES = 5;
/** A node failing the same job this many times gets no more of its chunks. */
export const BLOCK_AFTER_JOB_FAILURES = 2;
