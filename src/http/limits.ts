/**
 * Every answer the connector reads from the API, whichever API, is refused past this size: a page
 * of 1000 rows is a few MB and a Keap file (base64) well under it. The token endpoint has its own,
 * far smaller bound (keap/token-endpoint.ts).
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
