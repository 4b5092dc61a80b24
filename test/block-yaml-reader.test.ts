import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readBlockYaml } from '../src/core/block-yaml-reader';
import { toYaml } from '../src/core/render';
// a seeded generator, so that a failure can be replayed
import { mulberry32 as random } from './support/fleet-mutations';

const STRINGS = ['app-0', 'strict', 'sha256:ab12', 'AQB+x/y==', 'true', 'null', 'yes', 'on', 'e5', '0o17', '12', '1.5', '', ' lead', 'a: b', 'x #y',
  'quote"d', 'back\\slash', 'tab\there', 'new\nline', 'ünïcode', '.hidden', '-dash', '~', 'key:', 'a'.repeat(80), '2027-12-08T00:19:51.000Z'];
const KEYS = ['name', 'namespace', 'data', 'password', 'tls.crt', '.dockerconfigjson', 'true', 'null', '1', 'a b', 'x:y', '_under', 'k-e_y/z'];

function value(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 3 || r < 0.5) return STRINGS[Math.floor(rnd() * STRINGS.length)];
  if (r < 0.55) return rnd() < 0.5 ? [] : {};
  if (r < 0.75) return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => value(rnd, depth + 1));
  return Object.fromEntries(Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => [KEYS[Math.floor(rnd() * KEYS.length)], value(rnd, depth + 1)]));
}

describe('readBlockYaml', () => {
  it('reads what parse() of yaml reads, or declines, on 2,000 generated documents as the writer emits them (seeded)', () => {
    const rnd = random(26);
    let read = 0;
    for (let n = 0; n < 2000; n++) {
      const doc = { root: value(rnd, 0), list: [value(rnd, 1), { a: value(rnd, 2) }] };
      const text = `# a comment\n${toYaml([doc])}`;
      const fast = readBlockYaml(text);
      if (fast !== undefined) {
        read++;
        expect(fast, text).toEqual(parse(text));
      }
    }
    // most documents are within the subset (declining everything would pass the check above)
    expect(read).toBeGreaterThan(200);
  });

  it('reads a sealed store as seal writes it', () => {
    const text = '# header\n' + toYaml([{
      certificates: [{ fingerprint: `sha256:${'a'.repeat(64)}`, validTo: '2027-12-08T00:19:51.000Z' }],
      secrets: [{ namespace: 'app-0', name: 'db', scope: 'strict', data: { password: { certificate: `sha256:${'a'.repeat(64)}`, ciphertext: 'AQBhox+/=' } } }],
    }]);
    expect(readBlockYaml(text)).toEqual(parse(text));
    expect(readBlockYaml(text)).toMatchObject({ secrets: [{ data: { password: { ciphertext: 'AQBhox+/=' } } }] });
  });

  it('declines what is not the simple subset, so that yaml reads it (and reports its errors)', () => {
    for (const text of [
      'a: 1\n', 'a: true\n', 'a: null\n', 'a: [x]\n', 'a: {b: c}\n', 'a: &x b\n', 'a: b\na: c\n', 'a: |\n  text\n', "a: 'single'\n",
      'a:\n\tb: c\n', '---\na: b\n', 'a: b\n---\nc: d\n', 'a: b # comment\n', 'a:\n  # indented comment\n  b: c\n', '  a: b\n', 'a: b\n  c: d\n',
      '<<: x\n', '? complex\n: key\n', 'a: "unterminated\n', 'a: b\r\n', '# only a comment\n', '',
    ]) {
      expect(readBlockYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
