// Money as the server keeps it: an integer of minor units (kopecks, fen,
// pence) with an ISO 4217 currency. Never through a binary float: minor
// units become a decimal string with BigInt and Intl formats the string
// exactly; typed amounts are parsed digit by digit back to minor units.
// No DOM and no i18n state here (the locale is passed in), so Node tests it.

const digitsCache = new Map();

/** Minor-unit digits of a currency (RUB 2, JPY 0, BHD 3); 2 for an unknown code. */
export function currencyDigits(currency) {
  if (!digitsCache.has(currency)) {
    let d = 2;
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch { /* not an ISO code */ }
    digitsCache.set(currency, d);
  }
  return digitsCache.get(currency);
}

/** 1234567 (number, bigint or digit string), 2 → "12345.67"; exact for any size. */
export function minorToDecimal(minor, digits) {
  let b = BigInt(minor);
  const neg = b < 0n;
  if (neg) b = -b;
  const s = b.toString().padStart(digits + 1, '0');
  const int = digits ? s.slice(0, s.length - digits) : s;
  return (neg ? '-' : '') + int + (digits ? `.${s.slice(s.length - digits)}` : '');
}

const nfCache = new Map();
function nf(loc, currency, display) {
  const key = `${loc}|${currency}|${display}`;
  if (!nfCache.has(key)) {
    const d = currencyDigits(currency);
    let f;
    try {
      f = new Intl.NumberFormat(loc, {
        style: 'currency', currency, currencyDisplay: display, minimumFractionDigits: d, maximumFractionDigits: d,
      });
    } catch {
      f = new Intl.NumberFormat(loc, { minimumFractionDigits: d, maximumFractionDigits: d });
    }
    nfCache.set(key, f);
  }
  return nfCache.get(key);
}

/**
 * 1234567 RUB in ru-RU → "12 345,67 ₽"; en-GB → "RUB 12,345.67".
 * Intl.NumberFormat formats a decimal string exactly (no float on the way).
 */
export function fmtMoney(minor, currency, loc = 'en-GB', display = 'narrowSymbol') {
  if (minor === null || minor === undefined || minor === '') return '';
  const d = currencyDigits(currency);
  return nf(loc, currency || 'XXX', display).format(minorToDecimal(minor, d));
}

/** The amount without the currency sign, for inputs: 1234567 → "12345,67" (grouped: "12 345,67") as the locale writes it. */
export function fmtMoneyPlain(minor, currency, loc = 'en-GB', grouping = false) {
  if (minor === null || minor === undefined || minor === '') return '';
  const d = currencyDigits(currency);
  const f = new Intl.NumberFormat(loc, { minimumFractionDigits: d, maximumFractionDigits: d, useGrouping: grouping });
  return f.format(minorToDecimal(minor, d));
}

/** The currency's sign in the locale ("₽", "¥", "£"). */
export function currencySymbol(currency, loc = 'en-GB') {
  try {
    const p = nf(loc, currency, 'narrowSymbol').formatToParts(0).find((x) => x.type === 'currency');
    return p ? p.value : currency;
  } catch {
    return currency;
  }
}

/**
 * Parse what a person typed as an amount into minor units, exactly.
 * Accepts "4500", "4 500,50", "4,500.50", "4.500,50", "4500.5", "₽ 4 500";
 * a lone "," or "." followed by exactly three digits groups thousands when
 * the currency has fewer than three minor digits ("1,500" is 1500).
 * Returns {ok: true, minor: Number} or {ok: false, error: 'empty'|'invalid'|'too_many_decimals'|'too_large'}.
 */
export function parseMoney(text, currency) {
  const d = currencyDigits(currency);
  let s = String(text ?? '').trim();
  if (!s) return { ok: false, error: 'empty' };
  // spaces of every kind and apostrophes group digits; a currency sign or code may stand either side
  s = s.replace(/[\s\u00a0\u202f'’_]/g, '');
  s = s.replace(/^[^\d.,-]+/, '').replace(/[^\d.,]+$/, '');
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return { ok: false, error: 'invalid' };
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  const grouped = (x) => /^\d{1,3}([.,]\d{3})*$/.test(x) && !/^0\d*[.,]/.test(x);
  let dec = null;
  if (lastDot >= 0 && lastComma >= 0) {
    dec = lastDot > lastComma ? '.' : ',';
  } else if (lastDot >= 0 || lastComma >= 0) {
    const c = lastDot >= 0 ? '.' : ',';
    const count = s.split(c).length - 1;
    const after = s.length - s.lastIndexOf(c) - 1;
    // "1,500" groups thousands (unless the currency has three minor digits); "1,5" is a decimal
    if (count === 1 && !(after === 3 && d !== 3 && grouped(s))) dec = c;
  }
  let int = s, frac = '';
  if (dec) {
    const i = s.lastIndexOf(dec);
    int = s.slice(0, i);
    frac = s.slice(i + 1);
    if (/[.,]/.test(frac)) return { ok: false, error: 'invalid' };
    const group = dec === '.' ? ',' : '.';
    if (int.includes(group) && !grouped(int)) return { ok: false, error: 'invalid' };
    int = int.split(group).join('');
  } else {
    // no decimal separator: every "," or "." groups thousands
    if (/[.,]/.test(int) && !grouped(int)) return { ok: false, error: 'invalid' };
    int = int.replace(/[.,]/g, '');
  }
  if (/\D/.test(int) || /\D/.test(frac)) return { ok: false, error: 'invalid' };
  if (frac.length > d) {
    if (/^0*$/.test(frac.slice(d))) frac = frac.slice(0, d);
    else return { ok: false, error: 'too_many_decimals', digits: d };
  }
  const minor = BigInt(int || '0') * 10n ** BigInt(d) + BigInt((frac || '').padEnd(d, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'too_large' };
  return { ok: true, minor: Number(minor) };
}
