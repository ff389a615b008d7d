// web/js/money.js: minor units ↔ text exactly (BigInt and decimal strings,
// never a binary float), in the three UI locales. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/server.mjs';

const { minorToDecimal, fmtMoney, fmtMoneyPlain, parseMoney, currencyDigits } =
  await import(pathToFileURL(path.join(ROOT, 'web/js/money.js')).href);

const sp = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('minor units to a decimal string, exactly, at any size', () => {
  assert.equal(minorToDecimal(1234567, 2), '12345.67');
  assert.equal(minorToDecimal(5, 2), '0.05');
  assert.equal(minorToDecimal(-5, 2), '-0.05');
  assert.equal(minorToDecimal(0, 2), '0.00');
  assert.equal(minorToDecimal(1500, 0), '1500');
  assert.equal(minorToDecimal('123456789012345678901', 2), '1234567890123456789.01');
  assert.equal(minorToDecimal(9007199254740993n, 2), '90071992547409.93');
});

test('currencies know their minor digits', () => {
  assert.equal(currencyDigits('RUB'), 2);
  assert.equal(currencyDigits('JPY'), 0);
  assert.equal(currencyDigits('BHD'), 3);
  assert.equal(currencyDigits('not a code'), 2);
});

test('money is formatted per locale without float rounding', () => {
  assert.equal(sp(fmtMoney(1234567, 'RUB', 'ru-RU')), '12 345,67 ₽');
  assert.equal(fmtMoney(1234567, 'RUB', 'en-GB'), '₽12,345.67');
  assert.equal(fmtMoney(50000000, 'CNY', 'zh-CN'), '¥500,000.00');
  assert.equal(fmtMoney(5000000, 'GBP', 'en-GB'), '£50,000.00');
  // 0.1 + 0.2 style traps: these minor amounts are not exact binary fractions
  assert.equal(fmtMoney(10, 'RUB', 'en-GB'), '₽0.10');
  assert.equal(fmtMoney(29, 'RUB', 'en-GB'), '₽0.29');
  assert.equal(fmtMoney(100000000000000007n, 'RUB', 'en-GB'), '₽1,000,000,000,000,000.07');
  assert.equal(fmtMoney(1500, 'JPY', 'en-GB'), '¥1,500');
  assert.equal(fmtMoney(null, 'RUB', 'en-GB'), '');
  assert.equal(fmtMoneyPlain(175000050, 'RUB', 'ru-RU'), '1750000,50');
  assert.equal(sp(fmtMoneyPlain(175000050, 'RUB', 'ru-RU', true)), '1 750 000,50');
  assert.equal(fmtMoneyPlain(175000050, 'RUB', 'en-GB', true), '1,750,000.50');
});

test('what a person types is parsed to minor units exactly', () => {
  const ok = (text, cur, minor) => assert.deepEqual(parseMoney(text, cur), { ok: true, minor }, `${text} ${cur}`);
  const bad = (text, cur, error) => assert.equal(parseMoney(text, cur).error, error, `${text} ${cur}`);
  ok('4500', 'RUB', 450000);
  ok('4 500,50', 'RUB', 450050);
  ok('4\u00a0500,50', 'RUB', 450050);
  ok('4\u202f500,50 ₽', 'RUB', 450050);
  ok('₽ 4,500.50', 'RUB', 450050);
  ok('4.500,50', 'RUB', 450050);
  ok('4500.5', 'RUB', 450050);
  ok('0.29', 'RUB', 29);
  ok('0,1', 'RUB', 10);
  ok('1,500', 'RUB', 150000);       // three digits after a lone comma group thousands
  ok('1,5', 'RUB', 150);
  ok('1 234 567,89', 'RUB', 123456789);
  ok('1,234,567', 'RUB', 123456789 - 89);
  ok('4500.500', 'RUB', 450050);    // zeros beyond the currency's digits are fine
  ok('1,500', 'JPY', 1500);
  ok('1,500', 'BHD', 1500);         // three minor digits: a decimal comma
  ok('90071992547409.91', 'RUB', 9007199254740991);
  bad('', 'RUB', 'empty');
  bad('  ', 'RUB', 'empty');
  bad('abc', 'RUB', 'invalid');
  bad('-5', 'RUB', 'invalid');
  bad('12,34,567', 'RUB', 'invalid');
  bad('1.2.3,4.5', 'RUB', 'invalid');
  bad('4500.505', 'RUB', 'too_many_decimals');
  bad('1.5', 'JPY', 'too_many_decimals');
  bad('90071992547409.92', 'RUB', 'too_large');
});
