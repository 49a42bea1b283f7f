/**
 * Every line that can carry text we did not write ourselves (logs, traces, errors on stderr) passes
 * through here. Secrets are learned at startup (config) and on every token refresh (the new access
 * and refresh tokens), so a secret echoed in a Keap fault or a gateway body is masked too: in every
 * form it travelled in (the Basic credential is one of the secrets, keap/auth.ts secretsOf) and
 * every form an echo of it could take (URL and form encoding, JSON escaping).
 */
export class Redactor {
  private secrets: string[] = [];

  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      // Very short values would mask ordinary words; real keys and tokens are long.
      if (!v || v.length < 6) continue;
      for (const form of encodings(v)) if (!this.secrets.includes(form)) this.secrets.push(form);
    }
    // Longest first, so a secret containing another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  clean(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join('**********');
    }
    return out;
  }
}

/** `v` as sent and as an echo may spell it: in a URL, a form body, a JSON string (`/` as `\/` too). */
function encodings(v: string): Set<string> {
  const json = JSON.stringify(v).slice(1, -1);
  return new Set([v, encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2), json, json.replace(/\//g, '\\/')]);
}
