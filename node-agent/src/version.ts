/** Reported to the coordinator with every hello. */
export const AGENT_VERSION = '0.1.0';
