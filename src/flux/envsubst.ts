/**
 * Flux's post-build variable substitution, as kustomize-controller v1.9 (Flux v2.9) performs it.
 *
 * Two layers, each a port of the Go code it models:
 *
 * - {@link evaluate} is `github.com/fluxcd/pkg/envsubst` v1.7.0 (a fork of drone/envsubst):
 *   `envsubst/parse/scan.go`, `parse/parse.go`, `template.go`, `funcs.go` and `path/match.go`.
 *   Go strings are bytes, so the scanner, `${#var}`, `${var:pos:len}` and the patterns work on
 *   UTF-8 bytes here too.
 * - {@link substituteDocument} is `SubstituteVariables` in `github.com/fluxcd/pkg/kustomize`
 *   v1.35.0 (`kustomize/kustomize_varsub.go`), which kustomize-controller v1.9.0 calls for every
 *   built resource when `spec.postBuild` is set (`internal/controller/kustomization_controller.go`):
 *   the resource is written as YAML (`resource.AsYAML`, i.e. `sigs.k8s.io/yaml.JSONToYAML`, i.e.
 *   go-yaml v2's encoder), the whole text goes through envsubst, and the result is read back with
 *   go-yaml v2 (`sigs.k8s.io/yaml.YAMLToJSON`). Reading back is what turns `replicas: ${N}` into
 *   the integer 3, `enabled: ${X}` with X=`yes` into `true`, and `${LIST}` with `[a, b]` into a list.
 *
 * Behaviours verified in those sources, which the tests pin down:
 *
 * - Only the braced form is a reference: `$var` is copied as is, and `$$` anywhere in the text is
 *   an escape for `$` (so `$${var}` gives the literal `${var}` and `echo $$` gives `echo $`).
 * - `${var-default}`, `${var+x}` and `${var?x}` are parse errors ("missing closing brace"): only
 *   `=`, `:=`, `:-`, `:?` and `:+` introduce a default, and every one of them means "the default
 *   when the value is empty", including `:+` and `:?` (unlike bash).
 * - Without strict mode an undefined variable is the empty string. With `StrictPostBuildSubstitutions`
 *   (on by default since kustomize-controller v1.9, `internal/features/features.go`) a variable
 *   that is not defined fails the whole Kustomization, unless its operator supplies a default;
 *   a variable defined as `""` is fine. Arguments are evaluated before the operator, so an
 *   undefined variable nested in a default fails even when the outer variable is set.
 * - Variable values lose every `\n` and names must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
 * - Nothing is substituted when no variable is defined, unless `substituteStrategy: Always`.
 * - A resource labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is left alone.
 */

import { Document, isAlias, isMap, isPair, isScalar, isSeq, Node, parseAllDocuments, Scalar, visit } from 'yaml';

// ---------------------------------------------------------------------------------------------
// Errors

/** Why {@link evaluate} or {@link substituteDocument} failed. */
export type EnvsubstErrorCode =
  /** The text is not valid envsubst syntax (`${}`, `${a-b}`, `${{ x }}`, an unclosed `${`). */
  | 'parse'
  /** Strict mode: a variable without a default is not defined. */
  | 'variable-not-set'
  /** Go would panic: `${var:pos:len}` with a negative length. */
  | 'panic'
  /** A variable name Flux rejects before substituting. */
  | 'invalid-variable-name'
  /** The substituted text is not YAML, or not a JSON object, as the controller reads it. */
  | 'yaml';

/** A failure the controller would report as `post build failed for '<gvk>/<name>': …`. */
export class EnvsubstError extends Error {
  /** What kind of failure this is. */
  public readonly code: EnvsubstErrorCode;
  /** The variable at fault, for `variable-not-set` and `invalid-variable-name`. */
  public readonly variable?: string;

  /** @param message Go's wording where there is one (e.g. `variable not set (strict mode): "x"`) */
  constructor(code: EnvsubstErrorCode, message: string, variable?: string) {
    super(message);
    this.name = 'EnvsubstError';
    this.code = code;
    this.variable = variable;
  }
}

// Go's error strings (envsubst/parse/parse.go and template.go), so messages read like the controller's.
const ERR_BAD_SUBSTITUTION = 'bad substitution';
const ERR_MISSING_CLOSING_BRACE = 'missing closing brace';
const ERR_PARSE_VARIABLE_NAME = 'unable to parse variable name';
const ERR_PARSE_FUNC_SUBSTITUTION = 'unable to parse substitution within function';
const ERR_PARSE_DEFAULT_FUNCTION = 'unable to parse default function';

const parseError = (message: string) => new EnvsubstError('parse', message);

// ---------------------------------------------------------------------------------------------
// UTF-8, the way Go's unicode/utf8 decodes it

const RUNE_ERROR = 0xfffd;
const EMPTY: Buffer = Buffer.alloc(0);

/** `utf8.DecodeRune`: the rune at `i` and its width; `(RuneError, 1)` for an invalid byte. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const n = b.length - i;
  if (n <= 0) return [RUNE_ERROR, 0];
  const b0 = b[i];
  if (b0 < 0x80) return [b0, 1];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    return cont(1) ? [((b0 & 0x1f) << 6) | (b[i + 1] & 0x3f), 2] : [RUNE_ERROR, 1];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // no overlong forms (E0 80..9F) and no surrogates (ED A0..BF)
    const ok = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf) && cont(2);
    return ok ? [((b0 & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f), 3] : [RUNE_ERROR, 1];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const ok = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3);
    return ok
      ? [((b0 & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f), 4]
      : [RUNE_ERROR, 1];
  }
  return [RUNE_ERROR, 1];
}

/** `string(r)`: a lone surrogate becomes U+FFFD, as in Go. */
const encodeRune = (r: number): Buffer => Buffer.from(String.fromCodePoint(r), 'utf8');

/** `[]rune(s)`: every invalid byte is one U+FFFD. */
function runes(s: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length;) {
    const [r, w] = decodeRune(s, i);
    out.push(r);
    i += w;
  }
  return out;
}

const fromRunes = (rs: readonly number[]): Buffer => Buffer.concat(rs.map(encodeRune));

// ---------------------------------------------------------------------------------------------
// Scanner (envsubst/parse/scan.go)

/** Go's scanner reports end of input as rune 0, so a NUL byte also ends a token (kept as in Go). */
const EOF = 0;

const Token = { Illegal: 0, EOF: 1, Ident: 2, Lbrack: 3, Rbrack: 4 } as const;
type Token = (typeof Token)[keyof typeof Token];

// mode bits
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;
// escape bits
const ESC_DOLLAR = 1;
const ESC_BACKSLASH = 2;
const ESC_ALL = ESC_DOLLAR | ESC_BACKSLASH;

const DOLLAR = 0x24;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COLON = 0x3a;
const HASH = 0x23;
const PERCENT = 0x25;
const EQUALS = 0x3d;
const COMMA = 0x2c;
const CARET = 0x5e;

type Accept = (r: number, i: number) => boolean;

const IDENT_RUNE = /^[\p{L}\p{Nd}_]$/u; // unicode.IsLetter || unicode.IsDigit || '_'
const acceptRune: Accept = () => true;
const acceptIdent: Accept = r => IDENT_RUNE.test(String.fromCodePoint(r));
const acceptColon: Accept = r => r === COLON;
const acceptOneHash: Accept = (r, i) => r === HASH && i === 1;
const acceptNotClosing: Accept = r => r !== RBRACE;
const acceptHashFunc: Accept = (r, i) => r === HASH && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === PERCENT && i < 3;
const acceptDefaultFunc: Accept = (r, i) =>
  (i === 1 && r === COLON) || (i === 2 && (r === EQUALS || r === 0x2d /* - */ || r === 0x3f /* ? */ || r === 0x2b /* + */));
const acceptReplaceFunc: Accept = (r, i) =>
  (i === 1 && r === SLASH) || (i === 2 && (r === SLASH || r === HASH || r === PERCENT));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === EQUALS;
const acceptOneColon: Accept = (r, i) => i === 1 && r === COLON;
const rejectColonClose: Accept = r => r !== COLON && r !== RBRACE;
const acceptSlash: Accept = r => r === SLASH;
const acceptNotSlash: Accept = r => r !== SLASH;
const acceptCasingFunc: Accept = (r, i) => (r === COMMA || r === CARET) && i < 3;

/**
 * A line-for-line port of the Go scanner, quirks included: `peek` changes the width a later
 * `unread` steps back by, and `skip` drops the escape byte from the buffer so the escaped byte
 * is taken without being checked.
 */
class Scanner {
  public buf: Buffer;
  public pos = 0;
  public start = 0;
  public width = 0;
  public mode = 0;
  public escapeChars = 0;
  public accept: Accept = acceptRune;
  /** Called when `$$` is unescaped right before `{`, to list escaped references. */
  public onEscapedBrace?: (buf: Buffer, bracePos: number) => void;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  read(): number {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const [r, w] = decodeRune(this.buf, this.pos);
    this.width = w;
    this.pos += w;
    return r;
  }

  unread(): void {
    this.pos -= this.width;
  }

  skip(): void {
    const skipped = this.buf[this.pos - 1];
    this.buf = Buffer.concat([this.buf.subarray(0, this.pos - 1), this.buf.subarray(this.pos)]);
    if (skipped === DOLLAR && this.buf[this.pos] === LBRACE) this.onEscapedBrace?.(this.buf, this.pos);
  }

  peek(): number {
    const r = this.read();
    this.unread();
    return r;
  }

  string(): Buffer {
    return this.buf.subarray(this.start, this.pos);
  }

  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === EOF) return Token.EOF;
    if (this.scanLbrack(r)) return Token.Lbrack;
    if (this.scanRbrack(r)) return Token.Rbrack;
    if (this.scanIdent(r)) return Token.Ident;
    return Token.Illegal;
  }

  private scanIdent(first: number): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: number): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === DOLLAR) {
      if (this.read() === LBRACE) return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(r: number): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && r === RBRACE;
  }

  private scanEscaped(r: number): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === DOLLAR && (this.escapeChars & ESC_DOLLAR) !== 0 && this.peek() === DOLLAR) return true;
    if (r === BACKSLASH && (this.escapeChars & ESC_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === SLASH || next === BACKSLASH;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Parser (envsubst/parse/parse.go)

type TemplateNode = TextNode | FuncNode;
interface TextNode {
  readonly kind: 'text';
  readonly value: Buffer;
}
interface FuncNode {
  readonly kind: 'func';
  /** The variable. */
  readonly param: string;
  /** The operator as scanned: '' for `${var}`, `:-`, `//`, `#` (length or prefix), `^^`, … */
  name: string;
  readonly args: TemplateNode[];
  /** The entry {@link variableUses} reports for this reference. */
  readonly use: MutableUse;
}

/** One `${…}` reference in a text, as {@link variableUses} lists it. */
export interface VariableUse {
  /** The variable's name. */
  readonly name: string;
  /**
   * Whether the operator supplies a value when the variable is not defined (`=`, `:=`, `:-`,
   * `:?`, `:+`): strict mode does not fail on these.
   */
  readonly hasDefault: boolean;
  /** `$${name}`: written out literally as `${name}`, not substituted. */
  readonly escaped: boolean;
  /** The operator after the name: '' for `${name}`, `#` for `${#name}`, `:-`, `//`, `^^`, … */
  readonly operator: string;
}

/** Operators that tolerate an undefined variable (`isDefaultOp` in template.go). */
function isDefaultOp(name: string): boolean {
  return ['-', '+', '=', '?', ':-', ':+', ':=', ':?'].includes(name);
}

interface MutableUse {
  name: string;
  hasDefault: boolean;
  escaped: boolean;
  operator: string;
}

class Parser {
  private readonly sc: Scanner;
  public readonly uses: MutableUse[] = [];

  constructor(text: Buffer) {
    this.sc = new Scanner(text);
    this.sc.onEscapedBrace = (buf, brace) => this.escapedUse(buf, brace);
  }

  /** `parseAny`, as a loop: Go recurses once per token, which a long manifest would overflow here. */
  parse(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    const sc = this.sc;
    for (;;) {
      sc.accept = acceptRune;
      sc.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
      sc.escapeChars = ESC_DOLLAR;
      switch (sc.scan()) {
        case Token.Ident:
          nodes.push({ kind: 'text', value: sc.string() });
          break;
        case Token.EOF:
          return nodes;
        case Token.Lbrack:
          nodes.push(this.parseFunc());
          break;
        default:
          throw parseError(ERR_BAD_SUBSTITUTION);
      }
    }
  }

  /** A reference to `param`, listed as a use as soon as its name is read (document order). */
  private func(param: string, operator = ''): FuncNode {
    const use: MutableUse = { name: param, hasDefault: false, escaped: false, operator };
    this.uses.push(use);
    return { kind: 'func', param, name: operator, args: [], use };
  }

  private setOperator(node: FuncNode, operator: string): void {
    node.name = operator;
    node.use.operator = operator;
    node.use.hasDefault = isDefaultOp(operator);
  }

  private parseFunc(): FuncNode {
    const sc = this.sc;
    sc.escapeChars = ESC_ALL;
    if (sc.peek() === HASH) return this.parseLenFunc();

    sc.accept = acceptIdent;
    sc.mode = SCAN_IDENT;
    if (sc.scan() !== Token.Ident) throw parseError(ERR_PARSE_VARIABLE_NAME);
    const node = this.func(sc.string().toString('utf8'));

    switch (sc.peek()) {
      case COLON:
        return this.parseDefaultOrSubstr(node);
      case EQUALS:
        return this.parseDefaultFunc(node);
      case COMMA:
      case CARET:
        return this.parseCasingFunc(node);
      case SLASH:
        return this.parseReplaceFunc(node);
      case HASH:
        return this.parseRemoveFunc(node, acceptHashFunc);
      case PERCENT:
        return this.parseRemoveFunc(node, acceptPercentFunc);
    }

    sc.accept = acceptIdent;
    sc.mode = SCAN_RBRACK;
    if (sc.scan() === Token.Rbrack) return node;
    throw parseError(ERR_MISSING_CLOSING_BRACE);
  }

  private parseParam(accept: Accept, mode: number): TemplateNode {
    const sc = this.sc;
    sc.accept = accept;
    sc.mode = mode | SCAN_LBRACK;
    switch (sc.scan()) {
      case Token.Lbrack:
        return this.parseFunc();
      case Token.Ident:
      case Token.Rbrack:
        return { kind: 'text', value: sc.string() };
      default:
        throw parseError(ERR_PARSE_FUNC_SUBSTITUTION);
    }
  }

  private parseDefaultOrSubstr(node: FuncNode): FuncNode {
    const sc = this.sc;
    sc.read();
    const r = sc.peek();
    sc.unread();
    return r === EQUALS || r === 0x2d || r === 0x3f || r === 0x2b ? this.parseDefaultFunc(node) : this.parseSubstrFunc(node);
  }

  private scanName(accept: Accept, error: string): string {
    const sc = this.sc;
    sc.accept = accept;
    sc.mode = SCAN_IDENT;
    if (sc.scan() !== Token.Ident) throw parseError(error);
    return sc.string().toString('utf8');
  }

  private parseSubstrFunc(node: FuncNode): FuncNode {
    const sc = this.sc;
    this.setOperator(node, this.scanName(acceptOneColon, ERR_BAD_SUBSTITUTION));
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    sc.accept = acceptColon;
    sc.mode = SCAN_IDENT | SCAN_RBRACK;
    switch (sc.scan()) {
      case Token.Rbrack:
        return node;
      case Token.Ident:
        break;
      default:
        throw parseError(ERR_BAD_SUBSTITUTION);
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseRemoveFunc(node: FuncNode, accept: Accept): FuncNode {
    this.setOperator(node, this.scanName(accept, ERR_BAD_SUBSTITUTION));
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseReplaceFunc(node: FuncNode): FuncNode {
    const sc = this.sc;
    this.setOperator(node, this.scanName(acceptReplaceFunc, ERR_BAD_SUBSTITUTION));
    node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    this.scanName(acceptSlash, ERR_BAD_SUBSTITUTION); // the delimiter (any run of '/')
    if (sc.peek() === RBRACE) {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  private parseDefaultFunc(node: FuncNode): FuncNode {
    const sc = this.sc;
    this.setOperator(node, this.scanName(sc.peek() === EQUALS ? acceptOneEqual : acceptDefaultFunc, ERR_PARSE_DEFAULT_FUNCTION));
    for (;;) {
      if (sc.peek() === RBRACE) {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  private parseCasingFunc(node: FuncNode): FuncNode {
    this.setOperator(node, this.scanName(acceptCasingFunc, ERR_BAD_SUBSTITUTION));
    this.consumeRbrack();
    return node;
  }

  private parseLenFunc(): FuncNode {
    const operator = this.scanName(acceptOneHash, ERR_BAD_SUBSTITUTION);
    const node = this.func(this.scanName(acceptIdent, ERR_BAD_SUBSTITUTION), operator);
    this.consumeRbrack();
    return node;
  }

  private consumeRbrack(): void {
    this.sc.mode = SCAN_RBRACK;
    if (this.sc.scan() !== Token.Rbrack) throw parseError(ERR_BAD_SUBSTITUTION);
  }

  /** Records `$${name…}`, which is written out as the literal `${name…}`. */
  private escapedUse(buf: Buffer, brace: number): void {
    let i = brace + 1;
    const start = i;
    for (;;) {
      const [r, w] = decodeRune(buf, i);
      if (w === 0 || !acceptIdent(r, 0)) break;
      i += w;
    }
    if (i === start) return;
    const name = buf.subarray(start, i).toString('utf8');
    const op = /^(?::[=\-?+]|=)/.exec(buf.subarray(i, i + 2).toString('latin1'))?.[0] ?? '';
    this.uses.push({ name, hasDefault: op !== '', escaped: true, operator: op });
  }
}

// ---------------------------------------------------------------------------------------------
// Functions (envsubst/funcs.go and envsubst/path/match.go)

type SubstituteFunc = (s: Buffer, args: readonly Buffer[]) => Buffer;

/**
 * `unicode.ToLower`/`ToUpper` use Unicode's simple (one-to-one) case mapping; JavaScript's full
 * mapping turns some characters into several (`ß` → `SS`), which Go leaves unchanged.
 */
function simpleCase(r: number, upper: boolean): number {
  if (r < 0x80) {
    if (upper && r >= 0x61 && r <= 0x7a) return r - 32;
    if (!upper && r >= 0x41 && r <= 0x5a) return r + 32;
    return r;
  }
  if (!upper && r === 0x130) return 0x69; // İ: simple lowercase is 'i'
  const s = String.fromCodePoint(r);
  const mapped = upper ? s.toUpperCase() : s.toLowerCase();
  const cps = [...mapped];
  return cps.length === 1 ? cps[0].codePointAt(0)! : r;
}

const mapRunes = (s: Buffer, upper: boolean): Buffer => fromRunes(runes(s).map(r => simpleCase(r, upper)));

function mapFirstRune(s: Buffer, upper: boolean): Buffer {
  if (s.length === 0) return s;
  const [r, n] = decodeRune(s, 0);
  return Buffer.concat([encodeRune(simpleCase(r, upper)), s.subarray(n)]);
}

/** `strconv.Atoi` on a 64-bit platform. */
function atoi(b: Buffer): bigint | undefined {
  const s = b.toString('latin1');
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

const toLen: SubstituteFunc = s => Buffer.from(String(s.length));

const toDefault: SubstituteFunc = (s, args) => (s.length === 0 && args.length > 0 ? Buffer.concat(args) : s);

const toSubstr: SubstituteFunc = (s, args) => {
  if (args.length === 0) return s;
  let pos = atoi(args[0]);
  if (pos === undefined) return s; // bash returns the string when the position is not a number
  const len = BigInt(s.length);
  if (pos < 0n) {
    pos = len + pos;
    if (pos < 0n) pos = 0n;
  }
  if (args.length === 1) return pos < len ? s.subarray(Number(pos)) : EMPTY;
  const length = atoi(args[1]);
  if (length === undefined) return s;
  const end = BigInt.asIntN(64, pos + length); // Go's int addition wraps
  if (end >= len) return pos < len ? s.subarray(Number(pos)) : EMPTY;
  if (end < pos || end < 0n) {
    // s[pos:end] with end < pos: a runtime panic in Go, which the controller reports as an error
    throw new EnvsubstError('panic', `runtime error: slice bounds out of range [${pos}:${end}]`);
  }
  return s.subarray(Number(pos), Number(end));
};

/** `strings.Replace(s, old, new, n)`, bytes and all (an empty `old` matches before every rune). */
function goReplace(s: Buffer, old: Buffer, nu: Buffer, n: number): Buffer {
  if (old.equals(nu) || n === 0) return s;
  let m = 0;
  if (old.length === 0) m = runes(s).length + 1;
  else for (let i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length)) m++;
  if (m === 0) return s;
  if (n < 0 || m < n) n = m;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    let j = start;
    if (old.length === 0) {
      if (i > 0) j += decodeRune(s, start)[1];
    } else {
      j = s.indexOf(old, start);
    }
    parts.push(s.subarray(start, j), nu);
    start = j + old.length;
  }
  parts.push(s.subarray(start));
  return Buffer.concat(parts);
}

const replaceAll: SubstituteFunc = (s, args) =>
  args.length === 0 ? s : goReplace(s, args[0], args.length === 1 ? EMPTY : args[1], -1);

const replaceFirst: SubstituteFunc = (s, args) =>
  args.length === 0 ? s : goReplace(s, args[0], args.length === 1 ? EMPTY : args[1], 1);

const replacePrefix: SubstituteFunc = (s, args) => {
  if (args.length !== 2) return s; // `${var/#pat/}` changes nothing in Go
  return s.subarray(0, args[0].length).equals(args[0]) ? goReplace(s, args[0], args[1], 1) : s;
};

const replaceSuffix: SubstituteFunc = (s, args) => {
  if (args.length !== 2) return s;
  const cut = s.length - args[0].length;
  return cut >= 0 && s.subarray(cut).equals(args[0]) ? Buffer.concat([s.subarray(0, cut), args[1]]) : s;
};

class BadPattern extends Error {}

/**
 * `path.Match` as forked in envsubst/path/match.go: `*` also matches `/`, and a trailing `*`
 * matches the rest of the name.
 */
function pathMatch(pattern: Buffer, name: Buffer): boolean {
  outer: while (pattern.length > 0) {
    let star = false;
    while (pattern.length > 0 && pattern[0] === 0x2a /* * */) {
      pattern = pattern.subarray(1);
      star = true;
    }
    let inrange = false;
    let i = 0;
    scan: for (; i < pattern.length; i++) {
      switch (pattern[i]) {
        case BACKSLASH:
          if (i + 1 < pattern.length) i++;
          break;
        case 0x5b /* [ */:
          inrange = true;
          break;
        case 0x5d /* ] */:
          inrange = false;
          break;
        case 0x2a:
          if (!inrange) break scan;
          break;
      }
    }
    const chunk = pattern.subarray(0, i);
    pattern = pattern.subarray(i);
    if (star && chunk.length === 0) return true;
    const first = matchChunk(chunk, name);
    // the last chunk must consume the whole name; otherwise keep looking with the star
    if (first.ok && (first.rest.length === 0 || pattern.length > 0)) {
      name = first.rest;
      continue;
    }
    if (first.err) throw new BadPattern();
    if (star) {
      for (let k = 0; k < name.length; k++) {
        const m = matchChunk(chunk, name.subarray(k + 1));
        if (m.ok) {
          if (pattern.length === 0 && m.rest.length > 0) continue;
          name = m.rest;
          continue outer;
        }
        if (m.err) throw new BadPattern();
      }
    }
    return false;
  }
  return name.length === 0;
}

function matchChunk(chunk: Buffer, s: Buffer): { rest: Buffer; ok: boolean; err: boolean } {
  const fail = { rest: EMPTY, ok: false, err: false };
  const bad = { rest: EMPTY, ok: false, err: true };
  while (chunk.length > 0) {
    if (s.length === 0) return fail;
    switch (chunk[0]) {
      case 0x5b /* [ */: {
        const [r, n] = decodeRune(s, 0);
        s = s.subarray(n);
        chunk = chunk.subarray(1);
        let notNegated = true;
        if (chunk.length > 0 && chunk[0] === CARET) {
          notNegated = false;
          chunk = chunk.subarray(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === 0x5d && nrange > 0) {
            chunk = chunk.subarray(1);
            break;
          }
          const lo = getEsc(chunk);
          if (lo.err) return bad;
          chunk = lo.rest;
          let hi = lo.r;
          if (chunk[0] === 0x2d /* - */) {
            const h = getEsc(chunk.subarray(1));
            if (h.err) return bad;
            chunk = h.rest;
            hi = h.r;
          }
          if (lo.r <= r && r <= hi) match = true;
          nrange++;
        }
        if (match !== notNegated) return fail;
        break;
      }
      case 0x3f /* ? */:
        s = s.subarray(decodeRune(s, 0)[1]);
        chunk = chunk.subarray(1);
        break;
      default:
        if (chunk[0] === BACKSLASH) {
          chunk = chunk.subarray(1);
          if (chunk.length === 0) return bad;
        }
        if (chunk[0] !== s[0]) return fail;
        s = s.subarray(1);
        chunk = chunk.subarray(1);
    }
  }
  return { rest: s, ok: true, err: false };
}

function getEsc(chunk: Buffer): { r: number; rest: Buffer; err: boolean } {
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === 0x5d) return { r: 0, rest: chunk, err: true };
  if (chunk[0] === BACKSLASH) {
    chunk = chunk.subarray(1);
    if (chunk.length === 0) return { r: 0, rest: chunk, err: true };
  }
  const [r, n] = decodeRune(chunk, 0);
  const rest = chunk.subarray(n);
  return { r, rest, err: (r === RUNE_ERROR && n === 1) || rest.length === 0 };
}

/** Tries prefixes from the longest down to one byte (never the empty one), as funcs.go does. */
function trimShortest(s: Buffer, arg: Buffer): Buffer {
  let shortest = EMPTY;
  for (let i = 0; i < s.length; i++) {
    const prefix = s.subarray(0, s.length - i);
    try {
      if (pathMatch(arg, prefix)) shortest = prefix;
    } catch {
      return s;
    }
  }
  return shortest.length > 0 ? s.subarray(shortest.length) : s;
}

function trimLongest(s: Buffer, arg: Buffer): Buffer {
  for (let i = 0; i < s.length; i++) {
    const prefix = s.subarray(0, s.length - i);
    try {
      if (pathMatch(arg, prefix)) return s.subarray(prefix.length);
    } catch {
      return s;
    }
  }
  return s;
}

/** Reverses by runes; the suffix functions reverse the pattern too (so `[a-z]` breaks, as in Go). */
const reverse = (s: Buffer): Buffer => fromRunes(runes(s).reverse());

const trimShortestPrefix: SubstituteFunc = (s, args) => (args.length ? trimShortest(s, args[0]) : s);
const trimLongestPrefix: SubstituteFunc = (s, args) => (args.length ? trimLongest(s, args[0]) : s);
const trimShortestSuffix: SubstituteFunc = (s, args) =>
  args.length ? reverse(trimShortest(reverse(s), reverse(args[0]))) : s;
const trimLongestSuffix: SubstituteFunc = (s, args) =>
  args.length ? reverse(trimLongest(reverse(s), reverse(args[0]))) : s;

/** `lookupFunc` in template.go: anything unknown (`${var}`, `${var,^}`, the defaults) is `toDefault`. */
function lookupFunc(name: string, args: number): SubstituteFunc {
  switch (name) {
    case ',':
      return s => mapFirstRune(s, false);
    case ',,':
      return s => mapRunes(s, false);
    case '^':
      return s => mapFirstRune(s, true);
    case '^^':
      return s => mapRunes(s, true);
    case '#':
      return args === 0 ? toLen : trimShortestPrefix;
    case '##':
      return trimLongestPrefix;
    case '%':
      return trimShortestSuffix;
    case '%%':
      return trimLongestSuffix;
    case ':':
      return toSubstr;
    case '/#':
      return replacePrefix;
    case '/%':
      return replaceSuffix;
    case '/':
      return replaceFirst;
    case '//':
      return replaceAll;
    default:
      return toDefault;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation (envsubst/template.go)

/** Options for {@link evaluate}. */
export interface EnvsubstOptions {
  /**
   * Fail on a variable that is not defined and has no default operator, as kustomize-controller
   * does with the `StrictPostBuildSubstitutions` feature gate. Without it, such a variable is
   * the empty string (and is listed in `undefinedVariables`).
   * @default false
   */
  readonly strict?: boolean;
}

/** What {@link evaluate} produced. */
export interface EnvsubstResult {
  /** The substituted text. */
  readonly text: string;
  /** Defined variables the text reads, each once, in evaluation order. */
  readonly used: string[];
  /**
   * Variables the text reads without a default operator that are not defined (in strict mode
   * the first of them is an error instead), each once, in evaluation order. Undefined variables
   * behind `:-`, `:=`, `=`, `:?` or `:+` are not listed.
   */
  readonly undefinedVariables: string[];
}

interface EvalState {
  readonly lookup: (name: string) => string | undefined;
  readonly strict: boolean;
  readonly used: Set<string>;
  readonly undefinedVariables: Set<string>;
}

function evalNodes(nodes: readonly TemplateNode[], st: EvalState): Buffer {
  return Buffer.concat(nodes.map(n => (n.kind === 'text' ? n.value : evalFunc(n, st))));
}

function evalFunc(node: FuncNode, st: EvalState): Buffer {
  // arguments first, as Go does: an undefined variable in a default fails even if unused
  const args = node.args.map(a => evalNodes([a], st));
  const value = st.lookup(node.param);
  if (value !== undefined) st.used.add(node.param);
  else if (!isDefaultOp(node.name)) {
    if (st.strict) {
      throw new EnvsubstError('variable-not-set', `variable not set (strict mode): ${JSON.stringify(node.param)}`, node.param);
    }
    st.undefinedVariables.add(node.param);
  }
  return lookupFunc(node.name, args.length)(value === undefined ? EMPTY : Buffer.from(value, 'utf8'), args);
}

function evaluateBytes(text: string, lookup: (name: string) => string | undefined, strict: boolean) {
  const nodes = new Parser(Buffer.from(text, 'utf8')).parse();
  const st: EvalState = { lookup, strict, used: new Set(), undefinedVariables: new Set() };
  const bytes = evalNodes(nodes, st);
  return { bytes, used: [...st.used], undefinedVariables: [...st.undefinedVariables] };
}

/**
 * Substitutes `${…}` references in `text` the way `envsubst.Eval` in fluxcd/pkg does.
 *
 * Supported: `${var}`, `${#var}`, `${var^}` `${var^^}` `${var,}` `${var,,}`, `${var:pos}`
 * `${var:pos:len}` (bytes; negative `pos` counts from the end), `${var#glob}` `${var##glob}`
 * `${var%glob}` `${var%%glob}`, `${var/old/new}` `${var//old/new}` `${var/#old/new}`
 * `${var/%old/new}` (plain substrings, `\/` for a slash), and `${var=dflt}` `${var:=dflt}`
 * `${var:-dflt}` `${var:?dflt}` `${var:+dflt}`, all meaning "dflt when the value is empty";
 * defaults may hold further `${…}`. `$${…}` is the literal `${…}`, `$$` is `$`, `$var` is text.
 *
 * @param lookup a variable's value, or `undefined` when it is not defined
 * @throws EnvsubstError `parse` for invalid syntax (Go parses the whole text before substituting),
 *   `variable-not-set` in strict mode, `panic` where Go would panic
 */
export function evaluate(text: string, lookup: (name: string) => string | undefined, options: EnvsubstOptions = {}): EnvsubstResult {
  const r = evaluateBytes(text, lookup, options.strict ?? false);
  return { text: r.bytes.toString('utf8'), used: r.used, undefinedVariables: r.undefinedVariables };
}

/**
 * Every `${…}` reference in `text`, in the order they appear, including those nested in defaults
 * and escaped ones (`$${name}`, which Flux writes out as `${name}`). For a check that reports
 * variables a Kustomization does not define: a use with `hasDefault` or `escaped` never fails.
 *
 * @throws EnvsubstError `parse` when the text is not valid envsubst syntax (Flux fails on it too)
 */
export function variableUses(text: string): VariableUse[] {
  const parser = new Parser(Buffer.from(text, 'utf8'));
  parser.parse();
  return parser.uses.map(u => ({ ...u }));
}

// ---------------------------------------------------------------------------------------------
// go-yaml v2 scalar resolution (resolve.go), for both writing and reading

type GoScalar =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'uint'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'merge' };

const RESOLVE_MAP = new Map<string, GoScalar>();
for (const [v, words] of [
  [{ kind: 'bool', value: true }, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [{ kind: 'bool', value: false }, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  [{ kind: 'null' }, ['', '~', 'null', 'Null', 'NULL']],
  [{ kind: 'float', value: NaN }, ['.nan', '.NaN', '.NAN']],
  [{ kind: 'float', value: Infinity }, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [{ kind: 'float', value: -Infinity }, ['-.inf', '-.Inf', '-.INF']],
  [{ kind: 'merge' }, ['<<']],
] as const) {
  for (const w of words) RESOLVE_MAP.set(w, v as GoScalar);
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const U64_MAX = 2n ** 64n - 1n;

/** `strconv.ParseUint(s, 0, 64)` on a string without underscores. */
function parseUintBase0(s: string): bigint | undefined {
  if (s === '') return undefined;
  let base = 10n;
  let digits = s;
  if (s[0] === '0') {
    const p = s.length >= 3 ? s[1].toLowerCase() : '';
    base = p === 'b' ? 2n : p === 'o' ? 8n : p === 'x' ? 16n : 8n;
    digits = s.slice(p === 'b' || p === 'o' || p === 'x' ? 2 : 1);
  }
  let n = 0n;
  for (const ch of digits) {
    const c = ch.toLowerCase();
    const d = c >= '0' && c <= '9' ? BigInt(c.charCodeAt(0) - 48) : c >= 'a' && c <= 'z' ? BigInt(c.charCodeAt(0) - 87) : 99n;
    if (d >= base) return undefined;
    n = n * base + d;
    if (n > U64_MAX) return undefined;
  }
  return n;
}

/** `strconv.ParseInt(s, 0, 64)`. */
function parseIntBase0(s: string): bigint | undefined {
  const neg = s[0] === '-';
  const u = parseUintBase0(s[0] === '+' || neg ? s.slice(1) : s);
  if (u === undefined) return undefined;
  if (!neg && u >= 2n ** 63n) return undefined;
  if (neg && u > 2n ** 63n) return undefined;
  return neg ? -u : u;
}

/** `strconv.ParseFloat` for the decimal forms the resolver lets through; out of range is an error. */
function parseFloat64(s: string): number | undefined {
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * What go-yaml v2 makes of a plain (unquoted, untagged) scalar. Timestamps are not told apart:
 * v2 decodes them into `interface{}` as the original string, and none parses as a number.
 */
function resolvePlain(s: string): GoScalar {
  const c = s.length === 0 ? 'N' : s[0];
  const hint = c === '+' || c === '-' ? 'S' : c >= '0' && c <= '9' ? 'D' : 'yYnNtTfFoO~'.includes(c) ? 'M' : c === '.' ? '.' : '';
  if (hint === '' && s.length > 0) return { kind: 'str', value: s };
  const known = RESOLVE_MAP.get(s);
  if (known) return known;
  if (hint === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) {
      const f = parseFloat64(s);
      if (f !== undefined) return { kind: 'float', value: f };
    }
  } else if (hint === 'D' || hint === 'S') {
    const plain = s.replace(/_/g, '');
    const i = parseIntBase0(plain);
    if (i !== undefined) return { kind: 'int', value: i };
    const u = parseUintBase0(plain);
    if (u !== undefined) return { kind: 'uint', value: u };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseFloat64(plain);
      if (f !== undefined) return { kind: 'float', value: f };
    }
    // resolve.go's extra 0b/-0b branches only repeat what ParseInt(…, 0, 64) already accepts
  }
  return { kind: 'str', value: s };
}

function isBase60Float(s: string): boolean {
  return s !== '' && /^[-+0-9]/.test(s) && s.includes(':') && BASE60_FLOAT.test(s);
}

// ---------------------------------------------------------------------------------------------
// Writing: go-yaml v2's choice of scalar style (encode.go stringv, emitterc.go analyze/select)

type GoStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL';

interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

/** `yaml_emitter_analyze_scalar` (flow context never occurs: JSONToYAML writes block style). */
function analyzeScalar(v: Buffer): ScalarAnalysis {
  if (v.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const at = (i: number) => (i < v.length ? v[i] : 0);
  const isBlank = (i: number) => i < v.length && (v[i] === 0x20 || v[i] === 0x09);
  const isBreak = (i: number) =>
    v[i] === 0x0d || v[i] === 0x0a || (v[i] === 0xc2 && at(i + 1) === 0x85) ||
    (v[i] === 0xe2 && at(i + 1) === 0x80 && (at(i + 2) === 0xa8 || at(i + 2) === 0xa9));
  const isBlankz = (i: number) => isBlank(i) || isBreak(i) || v[i] === 0;
  const isPrintable = (i: number) => {
    const b = v[i];
    return b === 0x0a || (b >= 0x20 && b <= 0x7e) || (b === 0xc2 && at(i + 1) >= 0xa0) || (b > 0xc2 && b < 0xed) ||
      (b === 0xed && at(i + 1) < 0xa0) || b === 0xee ||
      (b === 0xef && !(at(i + 1) === 0xbb && at(i + 2) === 0xbf) && !(at(i + 1) === 0xbf && (at(i + 2) === 0xbe || at(i + 2) === 0xbf)));
  };
  const width = (b: number) => ((b & 0x80) === 0 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0);

  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  const head = v.subarray(0, 3).toString('latin1');
  if (head === '---' || head === '...') blockIndicators = true;

  for (let i = 0, w = 0; i < v.length; i += w) {
    w = width(v[i]) || 1; // Go would loop forever on a stray continuation byte; none occur in valid UTF-8
    const followedByWhitespace = i + w >= v.length || isBlank(i + w);
    const c = v[i];
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(String.fromCharCode(c))) blockIndicators = true;
      else if ((c === 0x3f || c === COLON || c === 0x2d) && followedByWhitespace) blockIndicators = true;
    } else if (c === COLON && followedByWhitespace) blockIndicators = true;
    else if (c === HASH && precededByWhitespace) blockIndicators = true;

    if (!isPrintable(i)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i + w === v.length) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(i)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i + w === v.length) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(i);
  }

  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) blockPlainAllowed = singleQuotedAllowed = false;
  if (spaceBreak || special) blockPlainAllowed = singleQuotedAllowed = blockAllowed = false;
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

/** The style go-yaml v2 writes a string in, as a block mapping value or sequence item, or as a key. */
function goStringStyle(s: string, isKey: boolean): GoStyle {
  const bytes = Buffer.from(s, 'utf8');
  const a = analyzeScalar(bytes);
  // check_simple_key: long or multi-line keys are written as `? key` (not in a simple-key context)
  const simpleKey = isKey && !a.multiline && bytes.length <= 128;
  const canUsePlain = resolvePlain(s).kind === 'str' && !isBase60Float(s);
  let style: GoStyle = s.includes('\n') ? 'BLOCK_LITERAL' : canUsePlain ? 'PLAIN' : 'QUOTE_DOUBLE';
  if (style === 'PLAIN' && (!a.blockPlainAllowed || (s.length === 0 && simpleKey))) style = 'QUOTE_SINGLE';
  if (style === 'QUOTE_SINGLE' && !a.singleQuotedAllowed) style = 'QUOTE_DOUBLE';
  if (style === 'BLOCK_LITERAL' && (!a.blockAllowed || simpleKey)) style = 'QUOTE_DOUBLE';
  return style;
}

/**
 * The YAML text kustomize-controller runs envsubst over for one resource (`resource.AsYAML`):
 * the JSON form of `doc` written in block style with go-yaml v2's choice of plain, single-quoted,
 * double-quoted or literal style for every string, which decides what a substituted value turns
 * into. Two differences from Go's bytes:
 *
 * - Mapping keys keep the document's order; Go sorts them. That decides only which key wins when
 *   substitution makes two keys equal, the order of `used`, and which undefined variable strict
 *   mode names first.
 * - Long lines are not folded; go-yaml v2 folds plain and quoted scalars at a space past column 80.
 *   Folded text reads back the same, substituted or not, except when the fold falls on a space
 *   inside a `${…}` pattern or substring argument (`${A/ /_}`), which Go then sees as a line break.
 */
export function toFluxYaml(doc: unknown): string {
  const json: unknown = JSON.parse(JSON.stringify(doc) ?? 'null');
  const d = new Document(json, { aliasDuplicateObjects: false });
  visit(d, {
    Scalar(key, node) {
      if (typeof node.value === 'string') node.type = goStringStyle(node.value, key === 'key');
    },
  });
  return d.toString({ lineWidth: 0, indentSeq: false });
}

// ---------------------------------------------------------------------------------------------
// Reading back: go-yaml v2 Unmarshal into interface{}, then YAMLToJSON and the controller's
// json.Unmarshal into map[string]interface{} (so every number is a float64, as in JavaScript)

const YAML_TAG = 'tag:yaml.org,2002:';

function yamlError(message: string): EnvsubstError {
  return new EnvsubstError('yaml', message);
}

/** A scalar node as go-yaml v2 decodes it (decode.go `scalar`). */
function decodeScalar(node: Scalar): GoScalar {
  const text = String(node.value ?? '');
  const tag = node.tag;
  if (!tag) return node.type === 'PLAIN' ? resolvePlain(text) : { kind: 'str', value: text };
  switch (tag) {
    case `${YAML_TAG}str`:
      return { kind: 'str', value: text };
    case `${YAML_TAG}binary`:
      return { kind: 'str', value: Buffer.from(text.replace(/\s/g, ''), 'base64').toString('utf8') };
    case `${YAML_TAG}bool`:
    case `${YAML_TAG}int`:
    case `${YAML_TAG}float`:
    case `${YAML_TAG}null`: {
      const r = resolvePlain(text);
      const want = tag.slice(YAML_TAG.length);
      if (r.kind === want || (want === 'int' && r.kind === 'uint')) return r;
      if (want === 'float' && r.kind === 'int') return { kind: 'float', value: Number(r.value) };
      throw yamlError(`yaml: cannot decode !!${r.kind} \`${text}\` as a !!${want}`);
    }
    case `${YAML_TAG}merge`:
      return text === '<<' ? { kind: 'merge' } : { kind: 'str', value: text };
    default:
      return { kind: 'str', value: text }; // unknown tags decode to the text
  }
}

function scalarToJson(s: GoScalar): unknown {
  switch (s.kind) {
    case 'str':
      return s.value;
    case 'null':
      return null;
    case 'bool':
      return s.value;
    case 'int':
    case 'uint':
      return Number(s.value);
    case 'float':
      if (!Number.isFinite(s.value)) throw yamlError(`json: unsupported value: ${Number.isNaN(s.value) ? 'NaN' : s.value > 0 ? '+Inf' : '-Inf'}`);
      return s.value;
    case 'merge':
      return '<<';
  }
}

/** `strconv.FormatFloat(f, 'g', -1, 32)`, as YAMLToJSON spells a float map key. */
function formatFloat32(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (!Number.isFinite(x)) return x > 0 ? '.inf' : '-.inf';
  const f = Math.fround(x);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = Math.abs(f).toExponential(p - 1);
    if (Math.fround(Number(e)) === Math.abs(f)) {
      const [m, ex] = e.split('e');
      digits = m.replace('.', '').replace(/0+$/, '') || '0';
      exp = Number(ex);
      break;
    }
  }
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  return digits.length <= intLen
    ? `${sign}${digits}${'0'.repeat(intLen - digits.length)}`
    : `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** YAMLToJSON's key conversion (`convertToJSONableObject`). */
function keyToString(s: GoScalar): string {
  switch (s.kind) {
    case 'str':
      return s.value;
    case 'int':
      return s.value.toString();
    case 'float':
      return formatFloat32(s.value);
    case 'bool':
      return s.value ? 'true' : 'false';
    case 'merge':
      return '<<';
    case 'null':
      throw yamlError('unsupported map key of type: <nil>');
    case 'uint':
      throw yamlError(`unsupported map key of type: uint64, key: ${s.value}`);
  }
}

class YamlReader {
  private readonly active = new Set<Node>();

  constructor(private readonly doc: Document.Parsed) {}

  value(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) throw yamlError(`yaml: unknown anchor '${node.source}' referenced`);
      if (this.active.has(target)) throw yamlError(`yaml: anchor '${node.source}' value contains itself`);
      this.active.add(target);
      try {
        return this.value(target);
      } finally {
        this.active.delete(target);
      }
    }
    if (isScalar(node)) return scalarToJson(decodeScalar(node));
    if (isSeq(node)) return node.items.map(item => this.value(item));
    if (isMap(node)) {
      // entries are collected first: a key such as "__proto__" must become a property, not a prototype
      const entries = new Map<string, unknown>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (this.isMerge(pair.key)) this.merge(pair.value, entries);
        else entries.set(this.key(pair.key), this.value(pair.value)); // a repeated key: the last one wins
      }
      return Object.fromEntries(entries);
    }
    throw yamlError('yaml: unexpected node');
  }

  private key(node: unknown): string {
    if (node === null || node === undefined) return keyToString({ kind: 'null' });
    if (isAlias(node)) return this.key(node.resolve(this.doc));
    if (isScalar(node)) return keyToString(decodeScalar(node));
    throw yamlError('yaml: invalid map key: a mapping or sequence');
  }

  private isMerge(node: unknown): boolean {
    return isScalar(node) && node.value === '<<' &&
      ((node.type === 'PLAIN' && !node.tag) || node.tag === `${YAML_TAG}merge`);
  }

  /** decode.go `merge`: a mapping, an alias of one, or a sequence of them (earlier ones win). */
  private merge(node: unknown, into: Map<string, unknown>): void {
    const wantMap = () => yamlError('yaml: map merge requires map or sequence of maps as the value');
    const one = (n: unknown) => {
      const target = isAlias(n) ? n.resolve(this.doc) : n;
      if (!isMap(target)) throw wantMap();
      for (const [k, v] of Object.entries(this.value(n) as Record<string, unknown>)) into.set(k, v);
    };
    if (isSeq(node)) [...node.items].reverse().forEach(one);
    else if (isMap(node) || isAlias(node)) one(node);
    else throw wantMap();
  }
}

/**
 * Reads YAML back the way the controller does after substituting: go-yaml v2's YAML 1.1 types
 * (`yes`/`on`/`y` are booleans, `0x1F` and `010` are integers, `1e3` is a float, `~` is null),
 * non-string keys spelled as strings, and numbers as JSON numbers.
 */
function fromFluxYaml(text: string): unknown {
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  if (!Array.isArray(docs) || docs.length === 0) return null;
  const doc = docs[0]; // go-yaml's Unmarshal reads the first document only
  if (doc.errors.length > 0) throw yamlError(`yaml: ${doc.errors[0].message}`);
  return new YamlReader(doc).value(doc.contents);
}

// ---------------------------------------------------------------------------------------------
// One resource (kustomize/kustomize_varsub.go)

/** The label or annotation that turns substitution off for a resource, when set to `disabled`. */
export const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';

/**
 * Whether kustomize-controller runs substitution in strict mode when nothing says otherwise:
 * the `StrictPostBuildSubstitutions` feature gate is opt-out since kustomize-controller v1.9.0
 * (Flux v2.9); it was opt-in from v1.3 to v1.8.
 */
export const FLUX_STRICT_SUBSTITUTIONS_DEFAULT = true;

// varsubRegex in kustomize_varsub.go; Go's [:alpha:] and [:digit:] are ASCII only
const FLUX_VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** Options for {@link substituteDocument}. */
export interface SubstituteOptions {
  /**
   * The `StrictPostBuildSubstitutions` feature gate: an undefined variable without a default
   * fails the resource instead of becoming the empty string.
   * @default FLUX_STRICT_SUBSTITUTIONS_DEFAULT (true, as in Flux v2.9)
   */
  readonly strict?: boolean;
  /**
   * `spec.postBuild.substituteStrategy`. With `WithVariables` nothing is substituted (not even
   * defaults) when no variable is defined; `Always` substitutes anyway.
   * @default 'WithVariables'
   */
  readonly substituteStrategy?: 'WithVariables' | 'Always';
}

/** What {@link substituteDocument} produced. */
export interface SubstituteResult {
  /** The resource as the controller applies it (the input object itself when `skipped`). */
  readonly doc: Record<string, unknown>;
  /** Defined variables the resource reads (see {@link EnvsubstResult.used}). */
  readonly used: string[];
  /** Undefined variables read without a default; only non-empty when not strict. */
  readonly undefinedVariables: string[];
  /**
   * Why the resource was left as it is: `disabled` by its label or annotation, or
   * `no-variables` (none defined and the strategy is `WithVariables`).
   */
  readonly skipped?: 'disabled' | 'no-variables';
}

function isReadonlyMap(v: ReadonlyMap<string, string> | Readonly<Record<string, string>>): v is ReadonlyMap<string, string> {
  return typeof (v as ReadonlyMap<string, string>).entries === 'function' && typeof (v as ReadonlyMap<string, string>).get === 'function';
}

/** Whether a resource is labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`. */
export function isSubstitutionDisabled(doc: Record<string, unknown>): boolean {
  const metadata = doc.metadata as { labels?: Record<string, unknown>; annotations?: Record<string, unknown> } | undefined;
  return metadata?.labels?.[SUBSTITUTE_ANNOTATION] === 'disabled' || metadata?.annotations?.[SUBSTITUTE_ANNOTATION] === 'disabled';
}

/**
 * Substitutes variables in one resource as kustomize-controller's post-build step does: writes
 * it as YAML ({@link toFluxYaml}), runs {@link evaluate} over the whole text (so keys and values
 * alike), and reads the YAML back with go-yaml v2's types. `replicas: ${N}` with `N: "3"` becomes
 * the number 3, and a label `${FLAG}` with `FLAG: "true"` becomes the boolean `true` (which the
 * API server then rejects): quote with a variable, as Flux's docs advise (`${quote}${id}${quote}`).
 *
 * The controller only gets here for a Kustomization with `spec.postBuild` set; without it nothing
 * is substituted and `$$` stays `$$`. Call this only in that case.
 *
 * @param variables the variables as the controller merges them: `substituteFrom` ConfigMaps and
 *   Secrets in order (later ones win), then `postBuild.substitute` (wins over all); every `\n` is
 *   removed from the values, as the controller does
 * @throws EnvsubstError for an invalid variable name, invalid syntax, an undefined variable in
 *   strict mode, or text that is no longer a YAML mapping
 */
export function substituteDocument(
  doc: Record<string, unknown>,
  variables: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  options: SubstituteOptions = {},
): SubstituteResult {
  if (isSubstitutionDisabled(doc)) return { doc, used: [], undefinedVariables: [], skipped: 'disabled' };

  const vars = new Map<string, string>();
  const source = isReadonlyMap(variables) ? [...variables.entries()] : Object.entries(variables);
  for (const [k, v] of source) vars.set(k, String(v).replace(/\n/g, ''));
  if (vars.size === 0 && options.substituteStrategy !== 'Always') {
    return { doc, used: [], undefinedVariables: [], skipped: 'no-variables' };
  }
  for (const name of vars.keys()) {
    if (!FLUX_VARIABLE_NAME.test(name)) {
      throw new EnvsubstError('invalid-variable-name', `'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`, name);
    }
  }

  const strict = options.strict ?? FLUX_STRICT_SUBSTITUTIONS_DEFAULT;
  const r = evaluateBytes(toFluxYaml(doc), name => vars.get(name), strict);
  let text: string;
  try {
    // go-yaml refuses invalid UTF-8, which `${var:pos:len}` can cut a character into
    text = new TextDecoder('utf-8', { fatal: true }).decode(r.bytes);
  } catch {
    throw yamlError('yaml: invalid UTF-8 in the substituted text');
  }
  const out = fromFluxYaml(text);
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw yamlError('json: cannot unmarshal the substituted resource into map[string]interface {}');
  }
  return { doc: out as Record<string, unknown>, used: r.used, undefinedVariables: r.undefinedVariables };
}
