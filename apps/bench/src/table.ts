/** One measured line: a value per column (platforms, then "other" for the bare server or a single figure). */
export interface Row {
  metric: string;
  values: Record<string, string>;
  target: string;
}

const header = (columns: readonly string[]) => ['metric', ...columns.map(title), 'target'];
const title = (column: string) => (column === 'other' ? 'bare server / once' : column);
const cells = (row: Row, columns: readonly string[]) => [
  row.metric,
  ...columns.map((c) => row.values[c] ?? ''),
  row.target,
];

/** Aligned columns for a terminal. */
export function toText(rows: readonly Row[], columns: readonly string[]): string {
  const lines = [header(columns), ...rows.map((row) => cells(row, columns))];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((line) => line[i].length)));
  return lines
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function toMarkdown(rows: readonly Row[], columns: readonly string[]): string {
  const line = (items: string[]) => `| ${items.join(' | ')} |`;
  const head = header(columns);
  return (
    [line(head), line(head.map(() => '---')), ...rows.map((row) => line(cells(row, columns)))].join(
      '\n',
    ) + '\n'
  );
}
