/**
 * An integer with commas between groups of three digits (12,345), as `toLocaleString('en')` writes it.
 * Not that call: its first use in a process loads locale data for about a quarter of a second, which
 * every run paid at its very end, in its summary line.
 */
export function groupDigits(n: number): string {
  const rounded = Math.round(n);
  const grouped = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+$)/g, ',');
  return rounded < 0 ? `-${grouped}` : grouped;
}
