import { describe, expect, it } from 'vitest';
import { parseMenuQuery, QuerySyntaxError, usesLastSuccessfulRun } from '../src/keap/query-syntax.js';

const ctx = { lastSuccessfulRun: '2026-11-20 10:00:00' };
const parse = (text: string): ReturnType<typeof parseMenuQuery> => parseMenuQuery(text, ctx);

/** The error a bad query raises, so a test can assert its position and message. */
function syntaxError(text: string): QuerySyntaxError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${text}`);
}

describe('parseMenuQuery on the report menu examples', () => {
  it('turns a comma list of integers into an IN array and keeps a plain value as text', () => {
    expect(parse("'GroupId':'12,30','City':'Ogden'")).toEqual({ GroupId: [12, 30], City: 'Ogden' });
  });

  it('keeps an exact-match value as written', () => {
    expect(parse("'City':'Ogden'")).toEqual({ City: 'Ogden' });
  });

  it('passes date patterns with % through verbatim', () => {
    expect(parse("'LastUpdated':'2016-01-20%'")).toEqual({ LastUpdated: '2016-01-20%' });
    expect(parse("'LastUpdated':'2016%'")).toEqual({ LastUpdated: '2016%' });
  });

  it('puts exactly one space after an operator whether or not the user wrote one', () => {
    expect(parse("'DateCreated':'~>=~2015-12-15'")).toEqual({ DateCreated: '~>=~ 2015-12-15' });
    expect(parse("'DateCreated':'~>=~ 2015-12-15'")).toEqual({ DateCreated: '~>=~ 2015-12-15' });
    expect(parse("'DateCreated':'~>=~   2015-12-15'")).toEqual({ DateCreated: '~>=~ 2015-12-15' });
  });

  it('keeps ~null~ as the is-null marker, without surrounding spaces', () => {
    expect(parse("'FirstName':'~null~'")).toEqual({ FirstName: '~null~' });
    expect(parse("'FirstName':'  ~null~ '")).toEqual({ FirstName: '~null~' });
  });

  it('normalises the not-equal operator', () => {
    expect(parse("'Id':'~<>~123'")).toEqual({ Id: '~<>~ 123' });
  });

  it('normalises each of the other comparison operators', () => {
    expect(parse("'Id':'~>~5'")).toEqual({ Id: '~>~ 5' });
    expect(parse("'Id':'~<~5'")).toEqual({ Id: '~<~ 5' });
    expect(parse("'DateCreated':'~<=~2015-12-15 23:59:59'")).toEqual({ DateCreated: '~<=~ 2015-12-15 23:59:59' });
    expect(parse("'Id':'~>~ 5'")).toEqual({ Id: '~>~ 5' });
  });

  it('passes a leading % wildcard through verbatim', () => {
    expect(parse("'Email':'%@gmail.com'")).toEqual({ Email: '%@gmail.com' });
  });

  it('replaces LastSuccessfulRun with the bookmark and then normalises the operator', () => {
    expect(parse("'LastUpdated':'~>~LastSuccessfulRun'")).toEqual({ LastUpdated: '~>~ 2026-11-20 10:00:00' });
    expect(parse("'LastUpdated':'~>=~LastSuccessfulRun'")).toEqual({ LastUpdated: '~>=~ 2026-11-20 10:00:00' });
  });
});

describe('parseMenuQuery on values and field names', () => {
  it('keeps commas and colons inside a quoted value literal', () => {
    expect(parse("'Notes':'a, b: c'")).toEqual({ Notes: 'a, b: c' });
    expect(parse("'City':'Ogden, UT'")).toEqual({ City: 'Ogden, UT' });
  });

  it('reads a doubled quote as one quote', () => {
    expect(parse("'Company':'O''Brien, Inc.'")).toEqual({ Company: "O'Brien, Inc." });
  });

  it('reads a backslash-escaped quote as one quote and a doubled backslash as one backslash', () => {
    expect(parse("'Company':'O\\'Brien'")).toEqual({ Company: "O'Brien" });
    expect(parse("'Notes':'a\\\\b'")).toEqual({ Notes: 'a\\b' });
    expect(parse("'Notes':'C:\\temp'")).toEqual({ Notes: 'C:\\temp' });
  });

  it('accepts double-quoted tokens, mixed with single-quoted ones', () => {
    expect(parse('"City":"Ogden"')).toEqual({ City: 'Ogden' });
    expect(parse(`"Company":"O'Brien", 'State':"UT"`)).toEqual({ Company: "O'Brien", State: 'UT' });
    expect(parse('"Notes":"say ""hi"""')).toEqual({ Notes: 'say "hi"' });
  });

  it('accepts custom fields and joined columns', () => {
    expect(parse("'_Color':'Red'")).toEqual({ _Color: 'Red' });
    expect(parse("'Contact.Email':'x%'")).toEqual({ 'Contact.Email': 'x%' });
  });

  it('keeps digits as text when there is no comma', () => {
    expect(parse("'Id':'123'")).toEqual({ Id: '123' });
  });

  it('trims spaces around IN items and accepts negative ids', () => {
    expect(parse("'FormId':' -1 , -3 '")).toEqual({ FormId: [-1, -3] });
  });

  it('treats a comma list with a non-integer item as text', () => {
    expect(parse("'GroupId':'12,30,'")).toEqual({ GroupId: '12,30,' });
    expect(parse("'GroupId':'12,x'")).toEqual({ GroupId: '12,x' });
  });

  it('accepts exactly 1000 IN items', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(parse(`'Id':'${ids.join(',')}'`)).toEqual({ Id: ids });
  });

  it('keeps an empty value as an empty string', () => {
    expect(parse("'City':''")).toEqual({ City: '' });
  });

  it('replaces LastSuccessfulRun in any case, but only as a whole word', () => {
    expect(parse("'LastUpdated':'lastsuccessfulrun'")).toEqual({ LastUpdated: '2026-11-20 10:00:00' });
    expect(parse("'Notes':'MyLastSuccessfulRun'")).toEqual({ Notes: 'MyLastSuccessfulRun' });
  });

  it('does not let a field named __proto__ reach the prototype', () => {
    const data = parse("'__proto__':'x'");
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });
});

describe('parseMenuQuery on layout', () => {
  it('returns an empty query for empty text, whitespace and empty braces', () => {
    expect(parse('')).toEqual({});
    expect(parse('  \n ')).toEqual({});
    expect(parse('{}')).toEqual({});
    expect(parse(' { \n } ')).toEqual({});
  });

  it('accepts a { } wrapper around the pairs', () => {
    expect(parse("{ 'City':'Ogden', 'State':'UT' }")).toEqual({ City: 'Ogden', State: 'UT' });
  });

  it('accepts newlines and spaces around every token', () => {
    expect(parse("\n  'GroupId' : '12,30' ,\n  'City'\n:\n'Ogden'\n")).toEqual({ GroupId: [12, 30], City: 'Ogden' });
  });
});

describe('parseMenuQuery on bad input', () => {
  const cases: { why: string; text: string; position: number; message: RegExp }[] = [
    { why: 'an unterminated value quote', text: "'City':'Ogden", position: 7, message: /unterminated quote/ },
    { why: 'an unterminated field quote', text: "'City':'a','State", position: 11, message: /unterminated quote: the ' opened here is never closed/ },
    { why: 'a missing colon', text: "'City' 'Ogden'", position: 7, message: /expected ':' after field name 'City'/ },
    { why: 'a missing comma', text: "'City':'Ogden' 'State':'UT'", position: 15, message: /expected ',' or the end of the query after the value of 'City'/ },
    { why: 'a trailing comma', text: "'City':'Ogden',", position: 14, message: /trailing comma/ },
    { why: 'a trailing comma before the closing brace', text: "{'City':'Ogden', }", position: 15, message: /trailing comma/ },
    { why: 'a field given twice', text: "'City':'a','City':'b'", position: 11, message: /field 'City' is given twice \(first at character 1\); Keap allows each field once/ },
    { why: 'a field name starting with a digit', text: "'1City':'a'", position: 1, message: /invalid field name '1City'/ },
    { why: 'a field name with a space', text: "'First Name':'a'", position: 6, message: /invalid field name 'First Name'/ },
    { why: 'an operator with no value', text: "'DateCreated':'~>=~'", position: 15, message: /operator '~>=~' in the value of 'DateCreated' has nothing after it/ },
    { why: 'an operator followed only by spaces', text: "'Id':'  ~<>~   '", position: 8, message: /operator '~<>~'/ },
    { why: 'more than 1000 IN items', text: `'Id':'${Array.from({ length: 1001 }, () => '7').join(',')}'`, position: 6 + 2000, message: /has 1001 items; Keap's IN accepts at most 1000/ },
    { why: 'junk after a value', text: "'City':'Ogden'x", position: 14, message: /found 'x'/ },
    { why: 'an unquoted field name', text: "City:'Ogden'", position: 0, message: /field names must be quoted/ },
    { why: 'an unquoted value', text: "'City':Ogden", position: 7, message: /expected a quoted value for field 'City' \(like 'Ogden'\), found 'O'/ },
    { why: 'a missing value', text: "'City':", position: 7, message: /found the end of the query/ },
    { why: 'an empty field name', text: "'':'x'", position: 0, message: /empty field name/ },
    { why: 'a lone quote', text: "'", position: 0, message: /unterminated quote/ },
    { why: 'a leading comma', text: ",'City':'Ogden'", position: 0, message: /expected a quoted field name/ },
    { why: 'a double comma', text: "'City':'a',,'State':'b'", position: 11, message: /expected a quoted field name/ },
    { why: 'a missing closing brace', text: "{'City':'Ogden'", position: 15, message: /missing closing '}'/ },
    { why: 'text after the closing brace', text: "{'City':'Ogden'} x", position: 17, message: /after the closing '}'/ },
    { why: 'an IN item too large for an id', text: "'Id':'1,99999999999999999999'", position: 8, message: /too large/ },
  ];

  for (const c of cases) {
    it(`reports ${c.why} at the exact character`, () => {
      const e = syntaxError(c.text);
      expect(e.position).toBe(c.position);
      expect(e.message).toMatch(new RegExp(`^query syntax error at character ${c.position + 1}: `));
      expect(e.message).toMatch(c.message);
      expect(e.message).not.toContain('\n');
    });
  }

  it('keeps the message on one line when the bad field name contains a newline', () => {
    const e = syntaxError("'Bad\nName':'x'");
    expect(e.position).toBe(4);
    expect(e.message).toBe(
      "query syntax error at character 5: invalid field name 'Bad\\nName': a field name is letters, digits, '_' and '.', starting with a letter or '_'",
    );
  });

  it('names itself QuerySyntaxError', () => {
    expect(syntaxError("'City'").name).toBe('QuerySyntaxError');
  });
});

describe('usesLastSuccessfulRun', () => {
  it('is true when a value uses the token and false otherwise', () => {
    expect(usesLastSuccessfulRun("'LastUpdated':'~>=~LastSuccessfulRun'")).toBe(true);
    expect(usesLastSuccessfulRun("'LastUpdated':'~>=~ 2016-01-01'")).toBe(false);
    expect(usesLastSuccessfulRun('')).toBe(false);
  });

  it('ignores the word inside a longer word', () => {
    expect(usesLastSuccessfulRun("'_LastSuccessfulRunNote':'x'")).toBe(false);
  });

  it('falls back to a word search when the text does not parse', () => {
    expect(usesLastSuccessfulRun("'LastUpdated':'~>=~LastSuccessfulRun")).toBe(true);
    expect(usesLastSuccessfulRun("'City':'Ogden")).toBe(false);
  });
});
