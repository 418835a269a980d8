/**
 * Money is kept in integer minor units (1/100 won) in code, read from and
 * written to DECIMAL(…,2) columns as exact strings: never a sum of binary floats.
 */
export type Minor = number;

/** "35000.00" | "35000.5" | 35000 → 3500000 */
export function toMinor(value: string | number): Minor {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,2})\d*)?$/.exec(text);
  if (!m) throw new Error(`not a decimal amount: ${value}`);
  const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) throw new Error(`amount out of range: ${value}`);
  return m[1] ? -minor : minor;
}

/** 3500000 → "35000.00", for a DECIMAL column. */
export function toDecimal(minor: Minor): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 3500000 → 35000 (a JSON number; exact because minor units are integers). */
export function toWire(minor: Minor): number {
  return minor / 100;
}

/** A DECIMAL string straight to its JSON number. */
export function decimalToWire(value: string | number): number {
  return toWire(toMinor(value));
}
