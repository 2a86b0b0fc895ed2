import { describe, expect, it } from '@jest/globals';
import { AUDIT_CSV_HEADER, csvField } from './audit-csv.js';

describe('csvField', () => {
  it('should quote every field, doubling quotes', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('""');
    expect(csvField(42)).toBe('"42"');
    expect(AUDIT_CSV_HEADER.startsWith('"id","created_at","tenant_id",')).toBe(true);
  });

  it('should defuse a formula at the start of a field', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField('+1')).toBe('"\'+1"');
    expect(csvField('-1')).toBe('"\'-1"');
    expect(csvField('@SUM(A1)')).toBe('"\'@SUM(A1)"');
    expect(csvField('  =1+1')).toBe('"\'  =1+1"');
    expect(csvField('\t=1')).toBe('"\'\t\'=1"');
    expect(csvField('\rx')).toBe('"\'\rx"');
  });

  it.each([
    ["Mozilla/5.0 (X11);=cmd|' /C calc'!A0", "Mozilla/5.0 (X11);'=cmd|' /C calc'!A0"],
    ['a,=1+1', "a,'=1+1"],
    ['a\t@SUM(A1)', "a\t'@SUM(A1)"],
    ['a\n+1', "a\n'+1"],
    ['a\r\n-1', "a\r\n'-1"],
    ['a; =cmd', "a;' =cmd"],
  ])('should defuse a formula after a separator inside %j', (input, defused) => {
    expect(csvField(input)).toBe(`"${defused.replace(/"/g, '""')}"`);
  });

  it('should leave separators not followed by a formula alone', () => {
    expect(csvField('Mozilla/5.0 (X11; Linux x86_64)')).toBe('"Mozilla/5.0 (X11; Linux x86_64)"');
    expect(csvField('a-b=c')).toBe('"a-b=c"');
  });

  it('should write objects as JSON, defused too', () => {
    expect(csvField({ route: '/x' })).toBe('"{""route"":""/x""}"');
    expect(csvField({ list: [1, -2] })).toBe('"{""list"":[1,\'-2]}"');
  });
});
