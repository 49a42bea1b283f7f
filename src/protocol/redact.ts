/**
 * Every line that can carry text we did not write ourselves (logs, traces, errors on stderr) passes
 * through here. Secrets are learned at startup (config) and on every token refresh (the new access
 * and refresh tokens), so a secret echoed in a Keap fault or a gateway body is masked too.
 */
export class Redactor {
  private secrets: string[] = [];

  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      // Very short values would mask ordinary words; real keys and tokens are long.
      if (v && v.length >= 6 && !this.secrets.includes(v)) this.secrets.push(v);
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
