import { describe, expect, it } from 'vitest';
import { parseStateInput } from '../src/protocol/state-input.js';

/**
 * Every shape the README promises `--state` accepts, reduced to the same per-stream states: what a
 * platform stores, what the README's recipe collects from a read, and what a Singer tap printed.
 */
const contact = { LastSuccessfulRun: '2024-05-01T06:00:02Z', LastUpdated: '2024-05-01T05:58:41Z' };
const invoice = { LastSuccessfulRun: '2024-05-01T06:00:02Z' };
const blob = (name: string, state: object): object => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: state }, sourceStats: { recordCount: 3 } });
const message = (name: string, state: object): object => ({ type: 'STATE', state: blob(name, state) });
const singer = (bookmarks: object): object => ({ type: 'STATE', value: { bookmarks } });
const expected = new Map<string, unknown>([
  ['contact', contact],
  ['invoice', invoice],
]);

describe('--state accepts', () => {
  it.each([
    ['a list of Airbyte state blobs (what Airbyte stores)', [blob('contact', contact), blob('invoice', invoice)]],
    ["a list of whole STATE messages (the README's recipe: a read's STATE lines as a JSON array)", [message('contact', contact), message('invoice', invoice)]],
    ['a list that mixes both', [message('contact', contact), blob('invoice', invoice)]],
    [
      'one whole STATE message carrying a GLOBAL state',
      { type: 'STATE', state: { type: 'GLOBAL', global: { stream_states: [{ stream_descriptor: { name: 'contact' }, stream_state: contact }, { stream_descriptor: { name: 'invoice' }, stream_state: invoice }] } } },
    ],
    ['a Singer STATE line', singer({ contact, invoice })],
    ['Singer STATE lines collected into a list (the last wins)', [singer({ contact }), singer({ contact, invoice })]],
    ['Singer bookmarks', { bookmarks: { contact, invoice } }],
    ['a bare object of stream states', { contact, invoice }],
  ])('%s', (_name, input) => {
    expect(parseStateInput(input, 'state.json')).toEqual(expected);
  });

  it('one whole STATE message for one stream', () => {
    expect(parseStateInput(message('contact', contact), 'state.json')).toEqual(new Map([['contact', contact]]));
  });

  it('still names the element of a list of whole messages that is malformed', () => {
    expect(() => parseStateInput([message('contact', contact), { type: 'STATE', state: { type: 'STREAM', stream: { stream_state: {} } } }], 'state.json')).toThrow(
      /state error: state\.json: \[1\]\.stream\.stream_descriptor: is required but missing/,
    );
  });
});
