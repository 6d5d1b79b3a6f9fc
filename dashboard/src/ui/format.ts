const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Minor units to a price in the currency's own notation (2 decimals for USD and EUR, 0 for JPY…). */
export function formatMoney(money: { amount: number; currency: string }): string {
  let format = moneyFormats.get(money.currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency: money.currency });
    moneyFormats.set(money.currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const thisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** Today's times without the date, this year's without the year. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return time.format(date);
  return date.getFullYear() === now.getFullYear() ? thisYear.format(date) : dateTime.format(date);
}

/** Ids are opaque and long; the last 8 characters tell orders apart on one screen. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}

export function formatStatus(status: string): string {
  return status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ');
}
