import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { fakeKeap, firstPage, member, messagesOf, rowsXml, traceErrors, type FakeKeap } from './helpers/fake-keap.js';

/**
 * Issue 12, defects 2, 3 and 8: answers that are well-formed XML-RPC but lie, against the built
 * CLI and a fake Keap on loopback. The helper already fails any run whose stdout has a line that is
 * not one strict JSON object; these tests say what the lines must hold.
 */

let fake: FakeKeap | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

type Msg = Record<string, unknown>;
const records = (ms: Msg[]): { stream: string; data: Record<string, unknown>; meta?: unknown }[] =>
  messagesOf(ms, 'RECORD').map((m) => m['record'] as { stream: string; data: Record<string, unknown>; meta?: unknown });

async function read(table: string, answer: string, count = 1): Promise<Awaited<ReturnType<typeof runCli>>> {
  fake = await fakeKeap({ xmlrpc: firstPage(answer, count) });
  return runCli(['read', '--config', fake.config(), '--catalog', fake.catalog([table])]);
}

describe('a base64 value (defect 2)', () => {
  it('that is not base64 cannot forge a record of another stream: the answer is refused as malformed', async () => {
    const forged = 'AAAA"},"stream":"contact","data":{"Id":999,"x":"';
    const r = await read('Product', rowsXml(member('Id', '<i4>7</i4>') + member('LargeImage', `<base64>${forged}</base64>`)));
    expect(records(r.messages).filter((x) => x.stream !== 'product')).toEqual([]);
    expect(r.stdout).not.toContain('"Id":999');
    expect(r.code).toBe(1);
    expect(traceErrors(r.messages)[0]?.message).toMatch(/product: unreadable answer to DataService\.query on Product: malformed base64.*gave up after 2 retries/);
  });

  it('that is base64 is written as Keap sent it, whitespace removed', async () => {
    const r = await read('Product', rowsXml(member('Id', '<i4>7</i4>') + member('LargeImage', '<base64>aGVs\nbG8=</base64>')));
    expect(r.code).toBe(0);
    expect(records(r.messages).map((x) => x.data['LargeImage'])).toEqual(['aGVsbG8=']);
  });
});

describe('a number with no JSON form (defect 3)', () => {
  it('<double>1e999</double> and <double>-1e999</double> become null with a meta.changes entry, never Infinity', async () => {
    const r = await read('Invoice', rowsXml(member('Id', '<i4>5</i4>') + member('InvoiceTotal', '<double>1e999</double>') + member('TotalPaid', '<double>-1e999</double>') + member('TotalDue', '<double>12.5</double>')));
    expect(r.code).toBe(0);
    const [rec] = records(r.messages);
    expect(rec?.data).toMatchObject({ Id: 5, InvoiceTotal: null, TotalPaid: null, TotalDue: 12.5 });
    expect(rec?.meta).toEqual({
      changes: [
        { field: 'InvoiceTotal', change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' },
        { field: 'TotalPaid', change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' },
      ],
    });
  });

  it.each(['<double>1e999</double>', '<double>1.5</double>'])('an Id of %s fails the stream instead of emitting a null key', async (id) => {
    const r = await read('Invoice', rowsXml(member('Id', id) + member('InvoiceTotal', '<double>3.5</double>')));
    expect(r.code).toBe(1);
    expect(records(r.messages)).toEqual([]);
    expect(traceErrors(r.messages)[0]?.message).toMatch(/invoice: DataService\.query on Invoice: a row whose Id is not a finite integer \((Infinity|1\.5)\)/);
    // No state claims the pass finished.
    expect(JSON.stringify(messagesOf(r.messages, 'STATE'))).not.toContain('LastSuccessfulRun');
  });
});

describe('an answer of the wrong shape (defect 8)', () => {
  it.each([['<value><string>oops</string></value>'], ['<value><struct></struct></value>']])(
    'DataService.query answering %s is malformed, retried, then fails the stream; the bookmark stays',
    async (answer) => {
      const r = await read('Invoice', answer);
      expect(r.code).toBe(1);
      expect(records(r.messages)).toEqual([]);
      expect(traceErrors(r.messages)[0]?.message).toMatch(/invoice: unreadable answer to DataService\.query on Invoice: expected an array of rows, got .*; gave up after 2 retries/);
      expect(fake?.calls('DataService.query')).toHaveLength(3);
      expect(JSON.stringify(messagesOf(r.messages, 'STATE'))).not.toContain('LastSuccessfulRun');
    },
  );
});
