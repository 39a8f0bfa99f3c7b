/**
 * Spreadsheet formula injection ("CSV injection"): a cell that begins with `=`, `+`, `-` or `@` is
 * taken for a formula by Excel and LibreOffice when a CSV is opened, and a formula can run
 * commands or send data away (`=HYPERLINK(…)`, `=cmd|…`, DDE). Police exports carry free text
 * typed by many hands, and Haven writes it back into reports and lists, so every string Haven puts
 * in a CSV or XLSX goes through `safeCell`.
 *
 * Why a leading single quote: it is OWASP's recommendation, and it is what spreadsheet users
 * themselves type to mean "this is text". It is visible in a CSV opened as text, which is the
 * honest trade-off: escaping must not depend on the program that opens the file. Only strings
 * are touched; numbers stay numbers (-5 is data, not a formula).
 */

/** Characters that start a formula, and tab and carriage return (OWASP's list). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);
/** Full-width variants that some spreadsheet programs fold into their ASCII forms. */
const FULL_WIDTH_START = new Set(['＝', '＋', '－', '＠']);

/** True when a spreadsheet could read this string as a formula. */
export function isDangerous(value: string): boolean {
  const first = value[0];
  if (first === undefined) return false;
  if (FORMULA_START.has(first) || FULL_WIDTH_START.has(first)) return true;
  // Leading spaces or line breaks before a formula character are dropped by some importers.
  const trimmed = value.trimStart();
  const firstVisible = trimmed[0];
  return trimmed.length !== value.length && firstVisible !== undefined && (FORMULA_START.has(firstVisible) || FULL_WIDTH_START.has(firstVisible));
}

/** The string, prefixed with `'` when a spreadsheet could read it as a formula. */
export function safeCell(value: string): string {
  return isDangerous(value) ? `'${value}` : value;
}
