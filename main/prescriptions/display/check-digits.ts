/** NHS number: ten digits, the last a Modulus 11 check digit over the first nine (weights 10 down to 2). */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) {
    return false;
  }
  const sum = [...value.slice(0, 9)].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === Number(value[9]);
}

/** "943 476 5919": the way NHS numbers are written for people. */
export function formatNhsNumber(value: string): string {
  return /^\d{10}$/.test(value) ? `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}` : value;
}

const MOD37_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+';

/**
 * Short-form prescription ID (XXXXXX-XXXXXX-XXXXXC): its last character is an ISO/IEC 7064 Mod 37-2 check
 * character over the other seventeen.
 */
export function isValidShortFormId(value: string): boolean {
  if (!/^[0-9A-F]{6}-[0-9A-Z]{6}-[0-9A-F]{5}[0-9A-Z+]$/.test(value)) {
    return false;
  }
  const body = value.replace(/-/g, '');
  let total = 0;
  for (const char of body.slice(0, -1)) {
    total = ((total + MOD37_ALPHABET.indexOf(char)) * 2) % 37;
  }
  return MOD37_ALPHABET[(38 - total) % 37] === body.slice(-1);
}
