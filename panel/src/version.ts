/** Recorded in bundle manifests (`createdBy`) and shown by `cloudexport --version`. */
export const PANEL_VERSION = '0.1.0';
