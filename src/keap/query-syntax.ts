/**
 * The report menu's text query form -> the struct `DataService.query` takes.
 *
 * Users coming from Domo's Infusionsoft connector already write queries as
 * `'GroupId':'12,30','City':'Ogden'`, so the `query` parameter accepts exactly that text. Keap's
 * own rules (reference/keap-api.md §2b) shape the result: each field at most once (the struct has
 * one member per field and there is no OR), IN is an XML-RPC array of at most 1000 integers,
 * comparison operators are written `~>=~ value`, `~null~` is a value, and `%` is a LIKE wildcard.
 *
 * Errors name the character they are about, because the text usually sits inside a JSON config
 * where nothing else will point at the mistake.
 */

export type QueryValue = string | number[];
export type QueryData = Record<string, QueryValue>;

export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError';
  /**
   * @param message one line, naming the 1-based character ("query syntax error at character 14: ...")
   * @param position the same character, 0-based, for callers that want to underline it
   */
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export interface QueryContext {
  /** Already in Keap's query form, `'YYYY-MM-DD HH:MM:SS'` wall clock. */
  lastSuccessfulRun: string;
}

/** Keap documents IN as limited to 1000 ids; a longer list fails at Keap after a round trip. */
const MAX_IN_ITEMS = 1000;

/** Custom fields start with `_`; ContactGroupAssign exposes joined columns like `Contact.Email`. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** The comparison operators Keap documents (`~null~` is a value, handled on its own). */
const OPERATORS = ['~<>~', '~>=~', '~<=~', '~>~', '~<~'] as const;

/** Whole word, any case: users type `lastSuccessfulRun` too, and `_LastSuccessfulRunNote` is a field. */
const LAST_RUN_WORD = /\bLastSuccessfulRun\b/i;
const LAST_RUN_ALL = /\bLastSuccessfulRun\b/gi;
const INTEGER = /^-?\d+$/;

export function parseMenuQuery(text: string, ctx: QueryContext): QueryData {
  return new MenuQueryParser(text, ctx.lastSuccessfulRun).parse().data;
}

/**
 * Whether any value of the query mentions `LastSuccessfulRun`, so the engine knows the query
 * depends on the bookmark. Text that does not parse gets a plain word search instead: the caller
 * will meet the syntax error, with its position, when it parses the query for real.
 */
export function usesLastSuccessfulRun(text: string): boolean {
  try {
    return new MenuQueryParser(text, '').parse().usesLastSuccessfulRun;
  } catch (e) {
    if (e instanceof QuerySyntaxError) return LAST_RUN_WORD.test(text);
    throw e;
  }
}

/** A quoted token with escapes undone; `at[i]` is where character i of `value` was written. */
interface Token {
  value: string;
  /** The opening quote. */
  start: number;
  at: number[];
}

class MenuQueryParser {
  private pos = 0;
  private usedLastRun = false;

  constructor(
    private readonly text: string,
    private readonly lastSuccessfulRun: string,
  ) {}

  parse(): { data: QueryData; usesLastSuccessfulRun: boolean } {
    // A Map until the end: a field named `__proto__` would otherwise reach an object's prototype.
    const fields = new Map<string, { value: QueryValue; at: number }>();
    this.skipSpace();
    const braced = this.peek() === '{';
    if (braced) {
      this.pos++;
      this.skipSpace();
    }
    // Running out of text inside braces also ends the pairs; the missing '}' is reported below.
    const atEnd = (): boolean => this.pos >= this.text.length || (braced && this.peek() === '}');

    if (!atEnd()) {
      for (;;) {
        const field = this.readFieldName();
        const previous = fields.get(field.value);
        if (previous !== undefined) {
          throw this.error(
            field.start,
            `field ${show(field.value)} is given twice (first at character ${previous.at + 1}); Keap allows each field once per query`,
          );
        }
        this.skipSpace();
        if (this.peek() !== ':') throw this.error(this.pos, `expected ':' after field name ${show(field.value)}, found ${this.found()}`);
        this.pos++;
        this.skipSpace();
        const q = this.peek();
        if (q !== "'" && q !== '"') {
          throw this.error(this.pos, `expected a quoted value for field ${show(field.value)} (like 'Ogden'), found ${this.found()}`);
        }
        const value = this.readQuoted();
        fields.set(field.value, { value: this.convertValue(field.value, value), at: field.start });

        this.skipSpace();
        if (this.peek() === ',') {
          const comma = this.pos;
          this.pos++;
          this.skipSpace();
          if (atEnd()) throw this.error(comma, 'trailing comma: expected another \'Field\':\'Value\' pair after it');
          continue;
        }
        if (atEnd()) break;
        throw this.error(this.pos, `expected ',' or the end of the query after the value of ${show(field.value)}, found ${this.found()}`);
      }
    }

    if (braced) {
      if (this.peek() !== '}') throw this.error(this.pos, "missing closing '}'");
      this.pos++;
      this.skipSpace();
      if (this.pos < this.text.length) throw this.error(this.pos, `unexpected ${this.found()} after the closing '}'`);
    }
    const data: QueryData = Object.fromEntries([...fields].map(([name, f]) => [name, f.value]));
    return { data, usesLastSuccessfulRun: this.usedLastRun };
  }

  private readFieldName(): Token {
    const q = this.peek();
    if (q !== "'" && q !== '"') {
      const detail = q !== undefined && /[A-Za-z_]/.test(q) ? 'field names must be quoted' : 'expected a quoted field name';
      throw this.error(this.pos, `${detail} (like 'City'), found ${this.found()}`);
    }
    const token = this.readQuoted();
    if (token.value === '') throw this.error(token.start, 'empty field name');
    if (!FIELD_NAME.test(token.value)) {
      // Point at the first character that breaks the rule, not just at the token.
      let bad = 0;
      while (bad < token.value.length && FIELD_NAME.test(token.value.slice(0, bad + 1))) bad++;
      throw this.error(
        token.at[bad] ?? token.start,
        `invalid field name ${show(token.value)}: a field name is letters, digits, '_' and '.', starting with a letter or '_'`,
      );
    }
    return token;
  }

  /**
   * One quoted token. Inside it the outer quote is written doubled (`''`, as in SQL) or
   * backslash-escaped (`\'`), and `\\` is one backslash; any other backslash is kept, so Windows
   * paths and regex-looking values survive as written.
   */
  private readQuoted(): Token {
    const start = this.pos;
    const quote = this.text[start];
    let value = '';
    const at: number[] = [];
    let i = start + 1;
    while (i < this.text.length) {
      const c = this.text[i];
      if (c === '\\') {
        const next = this.text[i + 1];
        if (next === '\\' || next === "'" || next === '"') {
          value += next;
          at.push(i);
          i += 2;
          continue;
        }
      } else if (c === quote) {
        if (this.text[i + 1] === quote) {
          value += quote;
          at.push(i);
          i += 2;
          continue;
        }
        this.pos = i + 1;
        return { value, start, at };
      }
      value += c;
      at.push(i);
      i++;
    }
    throw this.error(start, `unterminated quote: the ${quote} opened here is never closed`);
  }

  private convertValue(field: string, token: Token): QueryValue {
    let raw = token.value;
    let at = token.at;
    if (LAST_RUN_WORD.test(raw)) {
      this.usedLastRun = true;
      // Replaced before operators are read, so `~>=~LastSuccessfulRun` normalises like a date.
      // Positions inside the replacement point at the token it replaced.
      const nextAt: number[] = [];
      let out = '';
      let last = 0;
      for (const m of raw.matchAll(LAST_RUN_ALL)) {
        out += raw.slice(last, m.index);
        nextAt.push(...at.slice(last, m.index));
        out += this.lastSuccessfulRun;
        for (let k = 0; k < this.lastSuccessfulRun.length; k++) nextAt.push(at[m.index] ?? token.start);
        last = m.index + m[0].length;
      }
      out += raw.slice(last);
      nextAt.push(...at.slice(last));
      raw = out;
      at = nextAt;
    }

    const lead = raw.length - raw.trimStart().length;
    const body = raw.slice(lead);
    if (body.trimEnd().toLowerCase() === '~null~') return '~null~';

    for (const op of OPERATORS) {
      if (!body.startsWith(op)) continue;
      const operand = body.slice(op.length).trimStart();
      if (operand.trim() === '') {
        throw this.error(at[lead] ?? token.start, `operator '${op}' in the value of ${show(field)} has nothing after it`);
      }
      // Keap's documented form is the operator, one space, the operand.
      return `${op} ${operand}`;
    }

    if (raw.includes(',')) {
      const items = raw.split(',');
      if (items.every((item) => INTEGER.test(item.trim()))) return this.inList(field, items, at, token);
    }
    return raw;
  }

  /** `'12,30'` -> [12, 30]: Keap's IN is an XML-RPC array, not a comma string. */
  private inList(field: string, items: string[], at: number[], token: Token): number[] {
    const numbers: number[] = [];
    let offset = 0;
    for (const [index, item] of items.entries()) {
      const where = at[offset + (item.length - item.trimStart().length)] ?? token.start;
      if (index === MAX_IN_ITEMS) {
        throw this.error(
          where,
          `the list in the value of ${show(field)} has ${items.length} items; Keap's IN accepts at most ${MAX_IN_ITEMS}`,
        );
      }
      const n = Number(item.trim());
      if (!Number.isSafeInteger(n)) throw this.error(where, `${show(item.trim())} in the value of ${show(field)} is too large for an id`);
      numbers.push(n);
      offset += item.length + 1;
    }
    return numbers;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private found(): string {
    const c = this.peek();
    return c === undefined ? 'the end of the query' : show(c);
  }

  private error(position: number, detail: string): QuerySyntaxError {
    return new QuerySyntaxError(`query syntax error at character ${position + 1}: ${detail}`, position);
  }
}

/** Quote user text for a one-line message: control characters escaped, long text clipped. */
function show(s: string): string {
  const clipped = s.length > 40 ? `${s.slice(0, 37)}...` : s;
  const escaped = clipped.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `'${escaped}'`;
}
