/** The coordinator's version, shown in /healthz and the OpenAPI document. */
export const VERSION = '0.1.0';
