/**
 * The URL with any password replaced by ****, for logs, reports and the UI. Kept in a module of its own (no
 * driver import) so the extension host can mask URLs without bundling the MongoDB driver.
 */
export function maskUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):([^@/]*)@/i, '$1:****@');
}

/** True when the URL carries a password (then it belongs in SecretStorage, never in settings or state). */
export function hasPassword(url: string): boolean {
  return maskUrl(url) !== url;
}
