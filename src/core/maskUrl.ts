/**
 * The URL with any password replaced by ****, for logs, reports and the UI. Kept in a module of its own (no
 * driver import) so the extension host can mask URLs without bundling the MongoDB driver.
 */
export function maskUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):([^@/]*)@/i, '$1:****@');
}

/** The server part of a MongoDB URL as people name it: `mongodb://u:p@db.example:27017/app?x=1` → `db.example:27017`. */
export function hostOf(url: string): string {
  const m = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(url.trim());
  return m ? m[1] : maskUrl(url);
}

/** True when the URL carries a password (then it belongs in SecretStorage, never in settings or state). */
export function hasPassword(url: string): boolean {
  return maskUrl(url) !== url;
}
