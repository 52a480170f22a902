import { type Row, toMarkdown, toText } from './table';

const rows: Row[] = [
  { metric: 'cycles/s', values: { express: '2221', other: '3810' }, target: '' },
  { metric: 'CPU per cycle', values: { express: '470 µs x3.13 MISSED' }, target: '≤ x3' },
];

describe('the benchmark table', () => {
  it('aligns columns for a terminal, naming the last column', () => {
    expect(toText(rows, ['express', 'other']).split('\n')).toEqual([
      'metric         express              bare server / once  target',
      'cycles/s       2221                 3810',
      'CPU per cycle  470 µs x3.13 MISSED                      ≤ x3',
    ]);
  });

  it('renders Markdown with an empty cell where a column has no value', () => {
    expect(toMarkdown(rows, ['express', 'other'])).toBe(
      '| metric | express | bare server / once | target |\n' +
        '| --- | --- | --- | --- |\n' +
        '| cycles/s | 2221 | 3810 |  |\n' +
        '| CPU per cycle | 470 µs x3.13 MISSED |  | ≤ x3 |\n',
    );
  });
});
