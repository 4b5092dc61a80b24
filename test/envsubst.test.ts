import { describe, expect, it } from 'vitest';
import {
  EnvsubstError, evaluate, FLUX_STRICT_SUBSTITUTIONS_DEFAULT, isSubstitutionDisabled, substituteDocument, SUBSTITUTE_ANNOTATION,
  toFluxYaml, variableUses,
} from '../src/flux/envsubst';

/** Values from fluxcd/pkg envsubst/eval_test.go (which takes them from tldp.org), plus a few. */
const VARS: Record<string, string> = {
  var01: 'abcdEFGH28ij',
  upper: 'ABCDEFGH28IJ',
  path_name: '/home/bozo/ideas/thoughts.for.today',
  stringZ: 'abcABC123ABCabc',
  filename: 'bash.string.txt',
  default_var: 'foo',
  slashes: 'foo/bar/baz',
  empty: '',
  minus5: '-5',
  umlaut: 'über',
};
const lookup = (name: string): string | undefined => (Object.prototype.hasOwnProperty.call(VARS, name) ? VARS[name] : undefined);

/** Catches the error `fn` throws, for assertions on its fields. */
function thrown(fn: () => unknown): EnvsubstError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvsubstError);
    return e as EnvsubstError;
  }
  throw new Error('expected an EnvsubstError');
}

describe('evaluate: operators (fluxcd/pkg envsubst)', () => {
  const cases: Array<[string, string, string]> = [
    // [why, input, output]
    ['text only', 'abcdEFGH28ij', 'abcdEFGH28ij'],
    ['plain reference', 'x=${var01}', 'x=abcdEFGH28ij'],
    ['length', '${#var01}', '12'],
    ['length counts UTF-8 bytes, as Go len() does', '${#umlaut}', '5'],
    ['uppercase first', '${var01^}', 'AbcdEFGH28ij'],
    ['uppercase all', '${var01^^}', 'ABCDEFGH28IJ'],
    ['lowercase first', '${upper,}', 'aBCDEFGH28IJ'],
    ['lowercase all', '${upper,,}', 'abcdefgh28ij'],
    ['uppercase a non-ASCII first letter', '${umlaut^}', 'Über'],
    ['mixed casing operator is no operator', '${var01,^}', 'abcdEFGH28ij'],
    ['substring from position', '${path_name:11}', 'ideas/thoughts.for.today'],
    ['substring with length', '${path_name:11:5}', 'ideas'],
    ['substring past the end', '${var01:50}', ''],
    ['substring length past the end', '${var01:2:100}', 'cdEFGH28ij'],
    ['negative position (only reachable through a nested reference)', '${path_name:${minus5}}', 'today'],
    ['a position that is not a number returns the value', '${var01: -3}', 'abcdEFGH28ij'],
    ['`:-3` is a default, not a negative position', '${var01:-3}', 'abcdEFGH28ij'],
    ['= uses the default when undefined', '${var=xyz}', 'xyz'],
    ['= keeps a defined value', '${var01=xyz}', 'abcdEFGH28ij'],
    [':= default', '${var:=xyz}', 'xyz'],
    [':- default', '${var:-xyz}', 'xyz'],
    [':- uses the default for an empty value', '${empty:-fallback}', 'fallback'],
    ['= also uses the default for an empty value (unlike bash)', '${empty=fallback}', 'fallback'],
    [':? is a default too, not an error', '${var:?message}', 'message'],
    [':+ keeps a set value (unlike bash)', '${var01:+alt}', 'abcdEFGH28ij'],
    [':+ uses its word for an empty value', '${empty:+alt}', 'alt'],
    ['empty default', '${var:=}', ''],
    ['nested default', 'something ${var=${default_var}}', 'something foo'],
    ['nested default with suffix', 'foo: ${var=${default_var}-suffix}', 'foo: foo-suffix'],
    ['nested default with prefix and suffix', 'foo: ${var=prefix${default_var}-suffix}', 'foo: prefixfoo-suffix'],
    ['nested operator in default', '${var=${var01^^}}', 'ABCDEFGH28IJ'],
    ['defaults nest several levels', '${a:-${b:-${default_var}}}', 'foo'],
    ['replace first', '${stringZ/abc/xyz}', 'xyzABC123ABCabc'],
    ['replace all', '${stringZ//abc/xyz}', 'xyzABC123ABCxyz'],
    ['replace prefix', '${stringZ/#abc/XYZ}', 'XYZABC123ABCabc'],
    ['replace suffix', '${stringZ/%abc/XYZ}', 'abcABC123ABCXYZ'],
    ['replace with nothing deletes', '${stringZ/abc/}', 'ABC123ABCabc'],
    ['replace all with an empty replacement', '${stringZ//abc/}', 'ABC123ABC'],
    ['an empty prefix replacement changes nothing (Go quirk)', '${stringZ/#abc/}', 'abcABC123ABCabc'],
    ['no match', '${stringZ/xyz/Q}', 'abcABC123ABCabc'],
    ['escaped slash in the pattern', '${slashes//\\//-}', 'foo-bar-baz'],
    ['reference in the replacement', '${stringZ/abc/${default_var}}', 'fooABC123ABCabc'],
    ['patterns are literal, not globs', '${filename/*.txt/X}', 'bash.string.txt'],
    ['remove shortest prefix', '${filename#*.}', 'string.txt'],
    ['remove longest prefix', '${filename##*.}', 'txt'],
    ['remove shortest suffix', '${filename%.*}', 'bash.string'],
    ['remove longest suffix', '${filename%%.*}', 'bash'],
    ['* matches slashes too', '${path_name##*/}', 'thoughts.for.today'],
    ['character class', '${filename#[a-c]}', 'ash.string.txt'],
    ['? matches one character', '${filename%t?t}', 'bash.string.'],
    ['escaped reference', '$${var01}', '${var01}'],
    ['escaped reference with a default', 'x $${var=${default_var}}', 'x ${var=foo}'],
    ['$$ is $ everywhere', 'echo $$ $$var01', 'echo $ $var01'],
    ['$var without braces is not a reference', 'cost $var01 $5', 'cost $var01 $5'],
    ['Go test: mixed escapes', 'some text ${var01}$${var$${var01}$var01${var01}', 'some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij'],
    ['backslashes outside a pattern are text', '\\\\something ${var=${default_var}}', '\\\\something foo'],
    ['a lone $ at the end', 'price: 5$', 'price: 5$'],
    ['several references on a line', '${a:-x}-${var01,,}-${#default_var}', 'x-abcdefgh28ij-3'],
    ['undefined without default is empty (not strict)', '[${missing}]', '[]'],
    ['values are not substituted again', '${nested}', '${var01}'],
  ];

  it.each(cases)('%s: %s', (_why, input, output) => {
    const vars = { ...VARS, nested: '${var01}' };
    expect(evaluate(input, n => (Object.prototype.hasOwnProperty.call(vars, n) ? vars[n as keyof typeof vars] : undefined)).text).toBe(output);
  });

  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));
});

describe('evaluate: parse errors', () => {
  it.each([
    ['${var-default}', 'missing closing brace'], // only `=`, `:=`, `:-`, `:?`, `:+` are defaults
    ['${var+alt}', 'missing closing brace'],
    ['${var?msg}', 'missing closing brace'],
    ['${}', 'unable to parse variable name'],
    ['${{ github.token }}', 'unable to parse variable name'],
    ['${ var}', 'unable to parse variable name'],
    ['${var', 'missing closing brace'],
    ['${var:-abc', 'unable to parse substitution within function'],
    ['${var:}', 'unable to parse substitution within function'],
    ['${#}', 'bad substitution'],
    ['${var^x}', 'bad substitution'],
    ['${var/pattern}', 'bad substitution'], // the second '/' is required, even for an empty replacement
  ])('%s: %s', (input, message) => {
    const e = thrown(() => evaluate(input, lookup));
    expect(e.code).toBe('parse');
    expect(e.message).toBe(message);
  });

  it('fails on a syntax error even when everything else would substitute', () => {
    expect(() => evaluate('${var01} ${bad-name}', lookup)).toThrow('missing closing brace');
  });
});

describe('evaluate: strict mode (StrictPostBuildSubstitutions)', () => {
  it.each([
    // [input, strict result or error variable, non-strict result, undefinedVariables when not strict]
    ['${missing}', { error: 'missing' }, '', ['missing']],
    ['${missing:-d}', 'd', 'd', []],
    ['${missing:=d}', 'd', 'd', []],
    ['${missing=d}', 'd', 'd', []],
    ['${missing:?d}', 'd', 'd', []],
    ['${#missing}', { error: 'missing' }, '0', ['missing']],
    ['${missing^^}', { error: 'missing' }, '', ['missing']],
    ['${missing:0:2}', { error: 'missing' }, '', ['missing']],
    ['${missing/a/b}', { error: 'missing' }, '', ['missing']],
    ['${missing%.*}', { error: 'missing' }, '', ['missing']],
    // arguments are evaluated before the operator: the undefined default fails although var01 is set
    ['${var01:-${missing}}', { error: 'missing' }, 'abcdEFGH28ij', ['missing']],
    ['${empty}', '', '', []],
    ['${a}${b:-x}${c}', { error: 'a' }, 'x', ['a', 'c']],
  ] as Array<[string, string | { error: string }, string, string[]]>)('%s', (input, strict, lax, undefinedVariables) => {
    if (typeof strict === 'string') expect(evaluate(input, lookup, { strict: true }).text).toBe(strict);
    else {
      const e = thrown(() => evaluate(input, lookup, { strict: true }));
      expect(e.code).toBe('variable-not-set');
      expect(e.variable).toBe(strict.error);
      expect(e.message).toBe(`variable not set (strict mode): "${strict.error}"`);
    }
    const r = evaluate(input, lookup);
    expect(r.text).toBe(lax);
    expect(r.undefinedVariables).toEqual(undefinedVariables);
  });

  it('lists the defined variables it read, once each', () => {
    expect(evaluate('${var01} ${x:-${default_var}} ${var01^^} ${nope:=1}', lookup)).toEqual({
      text: 'abcdEFGH28ij foo ABCDEFGH28IJ 1', used: ['var01', 'default_var'], undefinedVariables: [],
    });
  });

  it('defaults to non-strict', () => {
    expect(evaluate('${missing}', lookup)).toEqual({ text: '', used: [], undefinedVariables: ['missing'] });
  });

  it('Go panics on a negative substring length; that is an error here', () => {
    expect(thrown(() => evaluate('${var01:2:-1}', lookup)).code).toBe('panic');
  });
});

describe('variableUses', () => {
  it('lists references in document order, nested and escaped ones included', () => {
    expect(variableUses('a ${A} $${B:-x} ${C:=${D}} ${#E} ${F/x/${G=1}} $H $$I')).toEqual([
      { name: 'A', hasDefault: false, escaped: false, operator: '' },
      { name: 'B', hasDefault: true, escaped: true, operator: ':-' },
      { name: 'C', hasDefault: true, escaped: false, operator: ':=' },
      { name: 'D', hasDefault: false, escaped: false, operator: '' },
      { name: 'E', hasDefault: false, escaped: false, operator: '#' },
      { name: 'F', hasDefault: false, escaped: false, operator: '/' },
      { name: 'G', hasDefault: true, escaped: false, operator: '=' },
    ]);
  });

  it('reports what strict mode would fail on: uses without default that are not escaped', () => {
    const defined = new Set(['cluster_env']);
    const text = toFluxYaml({ metadata: { labels: { env: '${cluster_env}', region: '${cluster_region}', tier: '${tier:=web}', keep: '$${literal}' } } });
    const missing = variableUses(text).filter(u => !u.hasDefault && !u.escaped && !defined.has(u.name)).map(u => u.name);
    expect(missing).toEqual(['cluster_region']);
  });

  it('throws on invalid syntax, as Flux fails the resource', () => {
    expect(() => variableUses('${a-b}')).toThrow(EnvsubstError);
  });
});

describe('toFluxYaml: the text envsubst sees (go-yaml v2 scalar styles)', () => {
  it('writes strings plain, single-quoted, double-quoted or literal as go-yaml v2 does', () => {
    expect(toFluxYaml({
      plain: '${A}',
      joined: '${A}:${B}',
      colonSpace: 'x: ${A}',
      looksLikeInt: '3',
      looksLikeBool: 'yes',
      sexagesimal: '1:20',
      leadingQuote: '"${A}"',
      apostrophe: "it's ${A}",
      tab: 'a\t${A}',
      empty: '',
      multiline: 'line ${A}\nnext\n',
      '${K}': 1,
      list: ['${A}', { n: 'n' }],
      number: 1.5,
      flag: true,
      nothing: null,
    })).toBe([
      'plain: ${A}',
      'joined: ${A}:${B}',
      "colonSpace: 'x: ${A}'",
      'looksLikeInt: "3"',
      'looksLikeBool: "yes"',
      'sexagesimal: "1:20"',
      'leadingQuote: \'"${A}"\'',
      "apostrophe: it's ${A}",
      'tab: "a\\t${A}"',
      'empty: ""',
      'multiline: |',
      '  line ${A}',
      '  next',
      '${K}: 1',
      'list:',
      '- ${A}',
      '- "n": "n"', // keys are quoted by the same rules
      'number: 1.5',
      'flag: true',
      'nothing: null',
      '',
    ].join('\n'));
  });
});

describe('substituteDocument: types after substitution', () => {
  /** Substitutes `template` as the value of `spec.field` with the given variables. */
  const field = (template: string, vars: Record<string, string>) =>
    (substituteDocument({ spec: { field: template } }, vars).doc.spec as { field: unknown }).field;

  it.each([
    // [template, variables, the value the controller applies]
    ['${N}', { N: '3' }, 3],
    ['${N}', { N: '-42' }, -42],
    ['${N}', { N: '1.5' }, 1.5],
    ['${N}', { N: '1e3' }, 1000],
    ['${N}', { N: '0x1F' }, 31],
    ['${N}', { N: '010' }, 8], // YAML 1.1 octal
    ['${N}', { N: '08' }, 8], // not octal, but a float in go-yaml v2
    ['${N}', { N: '1_000' }, 1000],
    ['${N}', { N: '+5' }, 5],
    ['${N}', { N: '12345678901234567890' }, 12345678901234567000], // uint64, then a JSON float64
    ['${B}', { B: 'true' }, true],
    ['${B}', { B: 'yes' }, true],
    ['${B}', { B: 'on' }, true],
    ['${B}', { B: 'y' }, true],
    ['${B}', { B: 'Off' }, false],
    ['${B}', { B: 'no' }, false],
    ['${Z}', { Z: '~' }, null],
    ['${Z}', { Z: 'null' }, null],
    ['${Z}', { Z: '' }, null],
    ['${S}', { S: '1:20' }, '1:20'], // go-yaml v2 reads no sexagesimal numbers
    ['${S}', { S: '2024-01-01' }, '2024-01-01'], // timestamps stay strings
    ['${S}', { S: '1.2.3' }, '1.2.3'],
    ['${S}', { S: 'nginx:1.21.4' }, 'nginx:1.21.4'],
    ['v${N}', { N: '3' }, 'v3'],
    ['${A}:${B}', { A: '1', B: '2' }, '1:2'],
    ['${Q}${N}${Q}', { Q: '"', N: '3' }, '3'], // the quote-variable trick from Flux's docs
    ['"${N}"', { N: '3' }, '"3"'], // quote characters in the value itself are kept
    ['${L}', { L: '[a, b]' }, ['a', 'b']],
    ['${M}', { M: '{x: 1}' }, { x: 1 }],
    ['${C}', { C: 'a #comment' }, 'a'],
    ['x: ${A}', { A: 'y' }, 'x: y'], // single-quoted by go-yaml, so the text stays a string
    ['${A}', { A: 'two\nlines' }, 'twolines'], // values lose every newline
  ] as Array<[string, Record<string, string>, unknown]>)('%s with %j', (template, vars, expected) => {
    expect(field(template, vars)).toEqual(expected);
  });

  it('quoting in the source does not keep a string: the resource is re-serialized first', () => {
    // `replicas: "${REPLICAS}"` in a manifest is the string "${REPLICAS}", which go-yaml writes plain
    expect(substituteDocument({ spec: { replicas: '${REPLICAS}' } }, { REPLICAS: '3' }).doc).toEqual({ spec: { replicas: 3 } });
  });

  it('keeps untouched values exactly, whatever they look like', () => {
    const doc = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' },
      data: { n: '3', b: 'yes', o: 'on', z: '', t: '~', s: '1:20', d: '2024-01-01', h: '#x', e: '— ok', c: '- a' },
      spec: { n: 3, f: 0.5, b: false, nil: null, list: [1, 'two', { three: [] }], empty: {} },
      value: '${X}',
    };
    expect(substituteDocument(doc, { X: 'x' }).doc).toEqual({ ...doc, value: 'x' });
  });

  it('substitutes map keys, with YAMLToJSON spelling non-string keys', () => {
    const keys = (k: string) => Object.keys(substituteDocument({ data: { '${K}': 'v' } }, { K: k }).doc.data as object);
    expect(keys('app')).toEqual(['app']);
    expect(keys('true')).toEqual(['true']);
    expect(keys('yes')).toEqual(['true']);
    expect(keys('0x10')).toEqual(['16']);
    expect(keys('1e6')).toEqual(['1e+06']);
    expect(keys('1.5')).toEqual(['1.5']);
  });

  it('a substituted key that repeats another: the later one wins', () => {
    expect(substituteDocument({ data: { '${A}': 1, '${B}': 2 } }, { A: 'k', B: 'k' }).doc).toEqual({ data: { k: 2 } });
  });

  it('a label value that reads as a boolean is a boolean (the API server then rejects it)', () => {
    const doc = { metadata: { labels: { enabled: '${FLAG}' } } };
    expect(substituteDocument(doc, { FLAG: 'true' }).doc).toEqual({ metadata: { labels: { enabled: true } } });
  });

  it('inside a multi-line string the value is text (literal block)', () => {
    const doc = { data: { 'script.sh': 'echo ${MSG}: $$HOME\nexit ${CODE}\n' } };
    expect(substituteDocument(doc, { MSG: 'a: b', CODE: '1' }).doc).toEqual({ data: { 'script.sh': 'echo a: b: $HOME\nexit 1\n' } });
  });

  it.each([
    ['a: b', ''], // `field: a: b` is no YAML
    ['*anchor', ''], // an alias to nothing
    ["it's", 'x: '], // breaks the single-quoted scalar
  ])('fails when the value %j breaks the YAML', (value, prefix) => {
    expect(thrown(() => substituteDocument({ spec: { field: `${prefix}\${V}` } }, { V: value })).code).toBe('yaml');
  });

  it('ports fluxcd/pkg kustomize_varsub_test.go (expected output kustomization_varsub_expected.yaml)', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'app', namespace: 'apps', labels: { environment: '${cluster_env:=dev}', region: '${cluster_region}' } },
      spec: {
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { annotations: { 'prometheus.io/scrape': '${prometheus_scrape:=false}', 'prometheus.io/port': '${prometheus_port}' }, labels: { app: 'app' } },
          spec: { containers: [{ name: 'nginx', image: '${image}', imagePullPolicy: 'IfNotPresent' }] },
        },
      },
    };
    const vars = {
      // testdata/configmap.yaml: the quotes keep the annotations strings
      prometheus_scrape: '"true"', prometheus_port: '"9797"', image: 'nginx:1.21.4',
      // inline postBuild.substitute
      cluster_env: 'prod', cluster_region: 'eu-central-1',
    };
    const r = substituteDocument(deployment, vars);
    expect(r.doc).toEqual({
      ...deployment,
      metadata: { ...deployment.metadata, labels: { environment: 'prod', region: 'eu-central-1' } },
      spec: {
        ...deployment.spec,
        template: {
          metadata: { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9797' }, labels: { app: 'app' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.21.4', imagePullPolicy: 'IfNotPresent' }] },
        },
      },
    });
    expect(r.used).toEqual(['cluster_env', 'cluster_region', 'prometheus_scrape', 'prometheus_port', 'image']);
  });
});

describe('substituteDocument: when and how the controller substitutes', () => {
  it('is strict by default, as kustomize-controller v1.9 is', () => {
    expect(FLUX_STRICT_SUBSTITUTIONS_DEFAULT).toBe(true);
    const e = thrown(() => substituteDocument({ data: { a: '${cluster_region}' } }, { cluster_env: 'prod' }));
    expect(e.code).toBe('variable-not-set');
    expect(e.variable).toBe('cluster_region');
  });

  it('without strict mode an undefined variable is empty (null as a whole value) and is reported', () => {
    const r = substituteDocument({ data: { a: '${missing}', b: 'x-${missing}' } }, { other: '1' }, { strict: false });
    expect(r).toEqual({ doc: { data: { a: null, b: 'x-' } }, used: [], undefinedVariables: ['missing'] });
  });

  it('does nothing without variables unless substituteStrategy is Always', () => {
    const doc = { data: { a: '${tier:=web}', b: 'echo $$' } };
    expect(substituteDocument(doc, {})).toEqual({ doc, used: [], undefinedVariables: [], skipped: 'no-variables' });
    expect(substituteDocument(doc, new Map(), { substituteStrategy: 'Always' }).doc).toEqual({ data: { a: 'web', b: 'echo $' } });
  });

  it.each([
    ['label', { labels: { [SUBSTITUTE_ANNOTATION]: 'disabled' } }, true],
    ['annotation', { annotations: { [SUBSTITUTE_ANNOTATION]: 'disabled' } }, true],
    ['other value', { annotations: { [SUBSTITUTE_ANNOTATION]: 'Disabled' } }, false],
  ])('kustomize.toolkit.fluxcd.io/substitute as %s', (_what, metadata, disabled) => {
    const doc = { metadata: { name: 'x', ...metadata }, data: { a: '${X}', b: '$${X}' } };
    expect(isSubstitutionDisabled(doc)).toBe(disabled);
    const r = substituteDocument(doc, { X: '1' });
    if (disabled) {
      expect(r.skipped).toBe('disabled');
      expect(r.doc).toBe(doc);
    } else {
      expect(r.doc.data).toEqual({ a: 1, b: '${X}' });
    }
  });

  it('rejects a variable name Flux rejects, before substituting', () => {
    const e = thrown(() => substituteDocument({ a: 'b' }, { 'cluster-env': 'x' }));
    expect(e.code).toBe('invalid-variable-name');
    expect(e.message).toBe("'cluster-env' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'");
  });

  it('accepts a Map or a record of variables', () => {
    const doc = { a: '${X}' };
    expect(substituteDocument(doc, new Map([['X', 'v']])).doc).toEqual({ a: 'v' });
    expect(substituteDocument(doc, { X: 'v' }).doc).toEqual({ a: 'v' });
  });

  it('does not change the input object', () => {
    const doc = { a: '${X}', nested: { b: ['${X}'] } };
    const copy = structuredClone(doc);
    substituteDocument(doc, { X: 'v' });
    expect(doc).toEqual(copy);
  });
});
