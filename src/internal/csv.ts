/**
 * CSV as RFC 4180 writes it: a cell is quoted when it holds a comma, a quote or a line break (its
 * quotes doubled); an absent value is an empty cell; every line ends with `\n`. One writer for
 * `Balance.toCsv` and the command line's `--format csv`.
 *
 * @internal
 */

/** A cell's text: a string as it is, nothing for `undefined` and `null`, anything else `String`ed. */
export const text = (value: unknown): string =>
  typeof value === "string" ? value : value === undefined || value === null ? "" : String(value)

const cell = (value: unknown): string => {
  const shown = text(value)
  return /[",\r\n]/.test(shown) ? `"${shown.replaceAll('"', '""')}"` : shown
}

/** One line: the row's values in `columns` order. */
export const line = (columns: ReadonlyArray<string>, row: Readonly<Record<string, unknown>>): string =>
  `${columns.map((column) => cell(row[column])).join(",")}\n`

/** The header line: the column names. */
export const header = (columns: ReadonlyArray<string>): string => `${columns.map(cell).join(",")}\n`
