import { Lexer, Tok } from './lexer.js';

/**
 * The Lua 5.1 compiler: parses a chunk (lparser.c's grammar, its error texts) and emits JavaScript
 * source in one pass. Each Lua function becomes a generator function, so a running script can be
 * suspended at any loop iteration or call (the time-slice hook) and coroutines work.
 *
 * Readability was traded for speed here: the emitted code inlines the fast path of each operator
 * (numbers for arithmetic, strings for `..`, plain tables for indexing) and calls a helper only on
 * the slow path (coercions, metamethods, errors, whose messages name the operand as Lua 5.1 does:
 * "attempt to index local 'x' (a nil value)").
 *
 * Emitted code sees: R (the Runtime), H (the helpers), G (the globals table), P (R.P).
 */

/** An expression while it is being compiled. */
interface Expr {
  /** JS code: one value, or an array of values when `multi` */
  code: string;
  /** a call or `...`: the code is an array of all its values */
  multi: boolean;
  /** how Lua 5.1 names the value in errors ("local 'x'", "global 'x'", "field 'x'"), or '' */
  desc: string;
  /** evaluating it twice is free and has no effect (a local, a constant) */
  simple: boolean;
  /** the code is a JS boolean (comparisons, not) */
  bool: boolean;
  /** a constant, when the expression is a literal */
  constant?: { value: string | number | boolean | undefined };
  /** where it can be assigned to */
  target?: Target;
}

type Target =
  | { kind: 'local'; name: string }
  | { kind: 'global'; name: string }
  | { kind: 'index'; object: Expr; key: Expr };

interface Scope {
  names: Map<string, string>;
}

class FunctionState {
  readonly parent: FunctionState | undefined;
  readonly scopes: Scope[] = [];
  readonly vararg: boolean;
  temps = 0;
  /** loops enclosing the current statement (break needs one) */
  loops = 0;
  constructor(parent: FunctionState | undefined, vararg: boolean) {
    this.parent = parent;
    this.vararg = vararg;
  }
}

const BINARY_PRIORITY: Record<string, [number, number]> = {
  '+': [6, 6],
  '-': [6, 6],
  '*': [7, 7],
  '/': [7, 7],
  '%': [7, 7],
  '^': [10, 9],
  '..': [5, 4],
  '==': [3, 3],
  '~=': [3, 3],
  '<': [3, 3],
  '<=': [3, 3],
  '>': [3, 3],
  '>=': [3, 3],
  and: [2, 2],
  or: [1, 1],
};
const UNARY_PRIORITY = 8;
const ARITH_OP: Record<string, number> = { '+': 0, '-': 1, '*': 2, '/': 3, '%': 4, '^': 5 };

const q = (text: string): string => JSON.stringify(text);

function foldArith(op: number, x: number, y: number): number {
  switch (op) {
    case 0:
      return x + y;
    case 1:
      return x - y;
    case 2:
      return x * y;
    case 3:
      return x / y;
    case 4:
      return x - Math.floor(x / y) * y;
    default:
      return Math.pow(x, y);
  }
}

function numberCode(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '-0';
  return n < 0 ? `(${String(n)})` : String(n);
}

function expr(code: string, desc = '', simple = false): Expr {
  return { code, multi: false, desc, simple, bool: false };
}

/** The result of compiling a chunk: JS source of a factory returning the main LuaFunction. */
export interface CompiledChunk {
  readonly source: string;
}

/**
 * Compiles a Lua 5.1 chunk to the JS source of `(R, H, G) => LuaFunction`.
 * Throws LuaSyntaxError with Lua's message on a syntax error. O(n) in the source length.
 */
export function compileLua(source: string, chunkName: string): CompiledChunk {
  return { source: new Compiler(source, chunkName).compileChunk() };
}

class Compiler {
  readonly #lx: Lexer;
  #fs: FunctionState;
  #nextId = 0;
  #out: string[] = [];
  readonly #chunk: string;

  constructor(source: string, chunk: string) {
    this.#lx = new Lexer(source, chunk);
    this.#chunk = chunk;
    this.#fs = new FunctionState(undefined, true);
  }

  compileChunk(): string {
    const lx = this.#lx;
    lx.next();
    const body = this.#functionBody([], true, () => {
      this.#block();
      if (lx.token() !== Tok.EOF) this.#errorExpected(Tok.EOF);
    });
    return (
      `"use strict";\n` +
      `const {idx, idxs, setidx, arith, cc, lt, le, eq, len, unm, forNum, tbl, callm, LuaFunction: LF, NONE} = H;\n` +
      `const P = R.P;\n` +
      `return new LF(${body}, ${q('main chunk')});\n`
    );
  }

  // ---- output helpers ----

  #emit(line: string): void {
    this.#out.push(line);
  }

  /** A source position as compiled code passes it to helpers: "user_script:12". */
  #pos(line: number): string {
    return q(`${this.#chunk}:${line}`);
  }

  #tmp(): string {
    return `$${++this.#fs.temps}`;
  }

  #local(name: string): string {
    const js = `${name}$${++this.#nextId}`;
    const scope = this.#fs.scopes[this.#fs.scopes.length - 1];
    scope?.names.set(name, js);
    return js;
  }

  /** Runs `body` in a new JS block scope. */
  #scoped(body: () => void): void {
    this.#fs.scopes.push({ names: new Map() });
    try {
      body();
    } finally {
      this.#fs.scopes.pop();
    }
  }

  /** Runs `body` as a loop body scope. */
  #loop(body: () => void): void {
    this.#fs.loops++;
    try {
      this.#scoped(body);
    } finally {
      this.#fs.loops--;
    }
  }

  // ---- errors ----

  #error(message: string): never {
    return this.#lx.error(message);
  }

  #errorExpected(token: string): never {
    return this.#error(`'${token}' expected`);
  }

  #check(token: string): void {
    if (this.#lx.token() !== token) this.#errorExpected(token);
  }

  #checkNext(token: string): void {
    this.#check(token);
    this.#lx.next();
  }

  #testNext(token: string): boolean {
    if (this.#lx.token() === token) {
      this.#lx.next();
      return true;
    }
    return false;
  }

  #checkMatch(what: string, who: string, line: number): void {
    if (!this.#testNext(what)) {
      if (line === this.#lx.line) this.#errorExpected(what);
      else this.#error(`'${what}' expected (to close '${who}' at line ${line})`);
    }
  }

  #checkName(): string {
    this.#check(Tok.NAME);
    const name = this.#lx.value as string;
    this.#lx.next();
    return name;
  }

  // ---- functions ----

  /** Compiles a function body (params already read) to `function* (...) {...}`. */
  #functionBody(params: string[], vararg: boolean, body: () => void, self = false): string {
    const line = this.#lx.line;
    const saved = this.#out;
    const outer = this.#fs;
    this.#fs = new FunctionState(outer, vararg);
    this.#out = [];
    let head = '';
    this.#scoped(() => {
      const names = [];
      if (self) names.push(this.#local('self'));
      for (const param of params) names.push(this.#local(param));
      if (vararg) names.push('...va');
      head = names.join(', ');
      body();
    });
    const temps = this.#fs.temps;
    const lines = this.#out;
    this.#out = saved;
    this.#fs = outer;
    let declare = '';
    if (temps > 0) {
      const list = [];
      for (let i = 1; i <= temps; i++) list.push(`$${i}`);
      declare = `let ${list.join(', ')};\n`;
    }
    return `function* (${head}) {\n${declare}if (--R.b < 0 && R.tick(${line})) yield P;\n${lines.join('\n')}\nreturn NONE;\n}`;
  }

  /** `function` body: parlist, block, end (the `function` keyword and name already read). */
  #body(line: number, self: boolean, name: string): Expr {
    const lx = this.#lx;
    this.#checkNext('(');
    const params: string[] = [];
    let vararg = false;
    if (lx.token() !== ')') {
      do {
        if (lx.token() === Tok.NAME) params.push(this.#checkName());
        else if (lx.token() === '...') {
          lx.next();
          vararg = true;
        } else this.#error("<name> or '...' expected");
      } while (!vararg && this.#testNext(','));
    }
    this.#checkNext(')');
    const code = this.#functionBody(
      params,
      vararg,
      () => {
        this.#block();
      },
      self,
    );
    this.#checkMatch('end', 'function', line);
    return expr(`new LF(${code}, ${q(name)})`);
  }

  // ---- statements ----

  #blockFollow(): boolean {
    switch (this.#lx.token()) {
      case 'else':
      case 'elseif':
      case 'end':
      case 'until':
      case Tok.EOF:
        return true;
      default:
        return false;
    }
  }

  /** A block: statements until a block-follow token; return/break must be last. */
  #block(): void {
    const lx = this.#lx;
    for (;;) {
      if (this.#blockFollow()) return;
      const last = this.#statement();
      this.#testNext(';');
      if (last) {
        if (!this.#blockFollow() && lx.token() !== Tok.EOF) return;
        return;
      }
    }
  }

  #statement(): boolean {
    const lx = this.#lx;
    const line = lx.tokLine;
    switch (lx.token()) {
      case 'if':
        this.#ifStat(line);
        return false;
      case 'while': {
        lx.next();
        const cond = this.#condition(this.#expr());
        this.#checkNext('do');
        this.#emit(`while (true) {`);
        this.#emitCondBreak(cond, true);
        this.#emit(`if (--R.b < 0 && R.tick(${line})) yield P;`);
        this.#loop(() => this.#block());
        this.#checkMatch('end', 'while', line);
        this.#emit(`}`);
        return false;
      }
      case 'do':
        lx.next();
        this.#emit('{');
        this.#scoped(() => this.#block());
        this.#checkMatch('end', 'do', line);
        this.#emit('}');
        return false;
      case 'for':
        this.#forStat(line);
        return false;
      case 'repeat': {
        lx.next();
        this.#emit(`while (true) {`);
        this.#emit(`if (--R.b < 0 && R.tick(${line})) yield P;`);
        this.#loop(() => {
          this.#block();
          this.#checkMatch('until', 'repeat', line);
          const cond = this.#condition(this.#expr());
          this.#emit(`if (${cond}) break;`);
        });
        this.#emit('}');
        return false;
      }
      case 'function': {
        lx.next();
        // funcname: NAME {'.' NAME} [':' NAME]
        let name = this.#checkName();
        let target = this.#singleVar(name, lx.line);
        let fullName = name;
        let self = false;
        while (lx.token() === '.' || lx.token() === ':') {
          const colon = lx.token() === ':';
          lx.next();
          name = this.#checkName();
          fullName += (colon ? ':' : '.') + name;
          target = this.#indexed(target, { ...expr(q(name), '', true), constant: { value: name } });
          if (colon) {
            self = true;
            break;
          }
        }
        const fn = this.#body(line, self, fullName);
        this.#assign(target, fn, line);
        return false;
      }
      case 'local':
        lx.next();
        if (this.#testNext('function')) {
          const name = this.#checkName();
          const js = this.#local(name);
          this.#emit(`let ${js};`);
          const fn = this.#body(line, false, name);
          this.#emit(`${js} = ${fn.code};`);
        } else this.#localStat();
        return false;
      case 'return':
        lx.next();
        this.#returnStat();
        return true;
      case 'break': {
        lx.next();
        if (this.#fs.loops === 0) this.#error('no loop to break');
        this.#emit('break;');
        return true;
      }
      default:
        this.#exprStat();
        return false;
    }
  }

  /** Emits `if (!cond) break;` (or `if (cond) break;`). */
  #emitCondBreak(cond: string, negate: boolean): void {
    this.#emit(negate ? `if (!(${cond})) break;` : `if (${cond}) break;`);
  }

  #ifStat(line: number): void {
    const lx = this.#lx;
    lx.next();
    const cond = this.#condition(this.#expr());
    this.#checkNext('then');
    this.#emit(`if (${cond}) {`);
    this.#scoped(() => this.#block());
    let closers = 1;
    while (lx.token() === 'elseif') {
      lx.next();
      // the condition may need statements (temps are expressions, so it stays one expression)
      this.#emit(`} else {`);
      const next = this.#condition(this.#expr());
      this.#checkNext('then');
      this.#emit(`if (${next}) {`);
      closers++;
      this.#scoped(() => this.#block());
    }
    if (lx.token() === 'else') {
      lx.next();
      this.#emit(`} else {`);
      this.#scoped(() => this.#block());
    }
    this.#checkMatch('end', 'if', line);
    for (let i = 0; i < closers; i++) this.#emit('}');
  }

  #forStat(line: number): void {
    const lx = this.#lx;
    lx.next();
    const first = this.#checkName();
    if (lx.token() === '=') {
      lx.next();
      const start = this.#single(this.#expr());
      this.#checkNext(',');
      const limit = this.#single(this.#expr());
      let step: Expr | undefined;
      if (this.#testNext(',')) step = this.#single(this.#expr());
      this.#checkNext('do');
      const v = this.#tmp();
      const l = this.#tmp();
      const s = this.#tmp();
      const constStep = step?.constant !== undefined ? step.constant.value : step ? undefined : 1;
      this.#emit(
        `${v} = forNum(${start.code}, "initial value", ${this.#pos(line)}); ${l} = forNum(${limit.code}, "limit", ${this.#pos(line)}); ` +
          `${s} = ${step ? `forNum(${step.code}, "step", ${this.#pos(line)})` : '1'};`,
      );
      const test =
        typeof constStep === 'number'
          ? constStep > 0
            ? `${v} <= ${l}`
            : `${v} >= ${l}`
          : `(${s} > 0 ? ${v} <= ${l} : ${v} >= ${l})`;
      this.#emit(`for (; ${test}; ${v} += ${s}) {`);
      this.#emit(`if (--R.b < 0 && R.tick(${line})) yield P;`);
      this.#scoped(() => {
        const js = this.#local(first);
        this.#emit(`let ${js} = ${v};`);
        this.#forBody(line);
      });
      this.#emit('}');
      return;
    }
    if (lx.token() === ',' || lx.token() === 'in') {
      const names = [first];
      while (this.#testNext(',')) names.push(this.#checkName());
      this.#checkNext('in');
      const exprs = this.#exprList();
      this.#checkNext('do');
      const f = this.#tmp();
      const st = this.#tmp();
      const ctl = this.#tmp();
      const values = this.#adjust(exprs, 3);
      this.#emit(
        `${values.setup}${f} = ${values.codes[0]}; ${st} = ${values.codes[1]}; ${ctl} = ${values.codes[2]};`,
      );
      this.#emit(`while (true) {`);
      this.#emit(`if (--R.b < 0 && R.tick(${line})) yield P;`);
      const r = this.#tmp();
      this.#emit(
        `${r} = ${f} instanceof LF ? (yield* ${f}.g(${st}, ${ctl})) : typeof ${f} === "function" ? (R.l = ${line}, ${f}(${st}, ${ctl})) : (yield* callm(${f}, [${st}, ${ctl}], ${this.#pos(line)}, ""));`,
      );
      this.#emit(`if (${r}[0] === undefined) break;`);
      this.#emit(`${ctl} = ${r}[0];`);
      this.#scoped(() => {
        const decl = names.map((name, i) => `${this.#local(name)} = ${r}[${i}]`);
        this.#emit(`let ${decl.join(', ')};`);
        this.#forBody(line);
      });
      this.#emit('}');
      return;
    }
    this.#error("'=' or 'in' expected");
  }

  #forBody(line: number): void {
    this.#emit('{');
    this.#loop(() => this.#block());
    this.#emit('}');
    this.#checkMatch('end', 'for', line);
  }

  #localStat(): void {
    const names: string[] = [];
    do names.push(this.#checkName());
    while (this.#testNext(','));
    let exprs: Expr[] = [];
    if (this.#testNext('=')) exprs = this.#exprList();
    const values = this.#adjust(exprs, names.length);
    if (values.setup) this.#emit(values.setup);
    // the new locals are visible only after the statement
    const decl = names.map((name, i) => `${this.#local(name)} = ${values.codes[i] ?? 'undefined'}`);
    this.#emit(`let ${decl.join(', ')};`);
  }

  /**
   * Adjusts an expression list to `count` values (Lua's adjust_assign): extra values are
   * evaluated and dropped, a trailing call or `...` spreads. Returns statements to run first and
   * one simple expression per value.
   */
  #adjust(exprs: Expr[], count: number): { setup: string; codes: string[] } {
    let setup = '';
    const codes: string[] = [];
    for (let i = 0; i < exprs.length; i++) {
      const e = exprs[i] as Expr;
      const last = i === exprs.length - 1;
      if (last && e.multi && codes.length < count) {
        const t = this.#tmp();
        setup += `${t} = ${e.code}; `;
        for (let k = 0; codes.length < count; k++) codes.push(`${t}[${k}]`);
        continue;
      }
      const single = this.#single(e);
      if (codes.length < count) {
        if (single.simple || exprs.length === 1) {
          if (single.simple) codes.push(single.code);
          else {
            const t = this.#tmp();
            setup += `${t} = ${single.code}; `;
            codes.push(t);
          }
        } else {
          const t = this.#tmp();
          setup += `${t} = ${single.code}; `;
          codes.push(t);
        }
      } else setup += `${single.code}; `;
    }
    while (codes.length < count) codes.push('undefined');
    return { setup, codes };
  }

  #returnStat(): void {
    const lx = this.#lx;
    if (this.#blockFollow() || lx.token() === ';') {
      this.#emit('return NONE;');
      return;
    }
    const exprs = this.#exprList();
    if (exprs.length === 1 && (exprs[0] as Expr).multi) {
      this.#emit(`return ${(exprs[0] as Expr).code};`);
      return;
    }
    this.#emit(`return [${this.#argList(exprs)}];`);
  }

  #exprStat(): void {
    const lx = this.#lx;
    const line = lx.tokLine;
    const e = this.#primaryExpr(true);
    if (e.multi && e.target === undefined && lx.token() !== '=' && lx.token() !== ',') {
      this.#emit(`${e.code};`);
      return;
    }
    // assignment
    const targets: Expr[] = [e];
    while (this.#testNext(',')) targets.push(this.#primaryExpr(true));
    for (const target of targets) if (!target.target) this.#error('syntax error');
    this.#checkNext('=');
    const exprs = this.#exprList();
    if (targets.length === 1 && exprs.length === 1) {
      this.#assign(targets[0] as Expr, this.#single(exprs[0] as Expr), line);
      return;
    }
    // evaluate the targets' tables and keys, then every value, then assign (right to left, as
    // Lua 5.1 stores them)
    const fixed = targets.map((target) => this.#fixTarget(target));
    const values = this.#adjust(exprs, targets.length);
    if (values.setup) this.#emit(values.setup);
    const temps = values.codes.map((code) => {
      const t = this.#tmp();
      this.#emit(`${t} = ${code};`);
      return t;
    });
    for (let i = fixed.length - 1; i >= 0; i--)
      this.#assign(fixed[i] as Expr, expr(temps[i] ?? 'undefined', '', true), line);
  }

  /** Evaluates an index target's table and key into temps (multiple assignment). */
  #fixTarget(target: Expr): Expr {
    const t = target.target;
    if (t?.kind !== 'index') return target;
    const object = this.#toTemp(t.object);
    const key = this.#toTemp(t.key);
    return { ...target, target: { kind: 'index', object, key } };
  }

  #toTemp(e: Expr): Expr {
    if (e.simple) return e;
    const t = this.#tmp();
    this.#emit(`${t} = ${e.code};`);
    return { ...expr(t, e.desc, true), ...(e.constant ? { constant: e.constant } : {}) };
  }

  #assign(target: Expr, value: Expr, line: number): void {
    const t = target.target;
    if (!t) {
      this.#error('syntax error');
    }
    switch (t.kind) {
      case 'local':
        this.#emit(`${t.name} = ${value.code};`);
        return;
      case 'global':
        this.#emit(`setidx(G, ${q(t.name)}, ${value.code}, ${this.#pos(line)}, "");`);
        return;
      case 'index':
        this.#emit(
          `setidx(${t.object.code}, ${t.key.code}, ${value.code}, ${this.#pos(line)}, ${q(t.object.desc)});`,
        );
        return;
    }
  }

  // ---- expressions ----

  #exprList(): Expr[] {
    const list = [this.#expr()];
    while (this.#testNext(',')) list.push(this.#expr());
    return list;
  }

  /** Function arguments: all single values except a trailing call or `...`, which spreads. */
  #argList(exprs: Expr[]): string {
    return exprs
      .map((e, i) => (i === exprs.length - 1 && e.multi ? `...${e.code}` : this.#single(e).code))
      .join(', ');
  }

  /** One value of an expression (the first of a call's results). */
  #single(e: Expr): Expr {
    if (!e.multi) return e;
    return expr(`${e.code}[0]`, e.desc);
  }

  /** A JS boolean for a Lua condition (nil and false are false). */
  #condition(e: Expr): string {
    const single = this.#single(e);
    if (single.bool) return single.code;
    if (single.constant) {
      const value = single.constant.value;
      return value === undefined || value === false ? 'false' : 'true';
    }
    if (single.simple) return `(${single.code} !== undefined && ${single.code} !== false)`;
    const t = this.#tmp();
    return `((${t} = ${single.code}) !== undefined && ${t} !== false)`;
  }

  #expr(limit = 0): Expr {
    const lx = this.#lx;
    let left: Expr;
    const line = lx.tokLine;
    if (lx.token() === 'not' || lx.token() === '-' || lx.token() === '#') {
      const op = lx.token();
      lx.next();
      const operand = this.#single(this.#expr(UNARY_PRIORITY));
      left = this.#unary(op, operand, line);
    } else left = this.#simpleExpr();
    for (;;) {
      const op = lx.token();
      const priority = BINARY_PRIORITY[op];
      if (!priority || priority[0] <= limit) break;
      const opLine = lx.line;
      lx.next();
      const right = this.#expr(priority[1]);
      left = this.#binary(op, this.#single(left), this.#single(right), opLine);
    }
    return left;
  }

  #unary(op: string, e: Expr, line: number): Expr {
    if (op === 'not') {
      return { ...expr(`!${this.#condition(e)}`), bool: true };
    }
    if (op === '-') {
      if (e.constant && typeof e.constant.value === 'number') {
        const value = -e.constant.value;
        return { ...expr(numberCode(value), '', true), constant: { value } };
      }
      const [setup, v] = this.#operand(e);
      return expr(
        `(${setup}typeof ${v} === "number" ? -${v} : unm(${v}, ${this.#pos(line)}, ${q(e.desc)}))`,
      );
    }
    return expr(`len(${e.code}, ${this.#pos(line)}, ${q(e.desc)})`);
  }

  /** An operand used more than once: [code that evaluates it into a temp, the temp]. */
  #operand(e: Expr): [string, string] {
    if (e.simple) return ['', e.code];
    const t = this.#tmp();
    return [`${t} = ${e.code}, `, t];
  }

  #binary(op: string, a: Expr, b: Expr, line: number): Expr {
    if (op === 'and' || op === 'or') {
      if (a.bool && b.bool)
        return { ...expr(`(${a.code} ${op === 'and' ? '&&' : '||'} ${b.code})`), bool: true };
      const [setup, v] = this.#operand(a);
      const test = a.bool ? v : `(${v} !== undefined && ${v} !== false)`;
      return op === 'and'
        ? expr(`(${setup}${test} ? ${b.code} : ${v})`)
        : expr(`(${setup}${test} ? ${v} : ${b.code})`);
    }
    const arith = ARITH_OP[op];
    if (
      arith !== undefined &&
      typeof a.constant?.value === 'number' &&
      typeof b.constant?.value === 'number'
    ) {
      // constant operands are folded here (as luaK_prefix/constfolding does)
      const value = foldArith(arith, a.constant.value, b.constant.value);
      return { ...expr(numberCode(value), '', true), constant: { value } };
    }
    if (arith !== undefined) {
      const [sa, x] = this.#operand(a);
      const [sb, y] = this.#operand(b);
      const numA = a.constant && typeof a.constant.value === 'number';
      const numB = b.constant && typeof b.constant.value === 'number';
      const check = [numA ? '' : `typeof ${x} === "number"`, numB ? '' : `typeof ${y} === "number"`]
        .filter(Boolean)
        .join(' && ');
      let fast: string;
      switch (op) {
        case '%':
          fast = `${x} - Math.floor(${x} / ${y}) * ${y}`;
          break;
        case '^':
          fast = `Math.pow(${x}, ${y})`;
          break;
        default:
          fast = `${x} ${op} ${y}`;
      }
      const slow = `arith(${arith}, ${x}, ${y}, ${this.#pos(line)}, ${q(a.desc)}, ${q(b.desc)})`;
      return expr(check ? `(${sa}${sb}${check} ? ${fast} : ${slow})` : `(${fast})`);
    }
    if (op === '..') {
      const [sa, x] = this.#operand(a);
      const [sb, y] = this.#operand(b);
      return expr(
        `(${sa}${sb}typeof ${x} === "string" && typeof ${y} === "string" ? ${x} + ${y} : cc(${x}, ${y}, ${this.#pos(line)}, ${q(a.desc)}, ${q(b.desc)}))`,
      );
    }
    if (op === '==' || op === '~=') {
      const literal = a.constant !== undefined || b.constant !== undefined;
      let code: string;
      if (literal) code = `${a.code} === ${b.code}`;
      else {
        const [sa, x] = this.#operand(a);
        const [sb, y] = this.#operand(b);
        code = `${sa}${sb}${x} === ${y} || (typeof ${x} === "object" && eq(${x}, ${y}, ${this.#pos(line)}))`;
      }
      return { ...expr(op === '==' ? `(${code})` : `!(${code})`), bool: true };
    }
    // order: > and >= swap their operands after evaluating them in order
    const [sa, x] = this.#operand(a);
    const [sb, y] = this.#operand(b);
    const [l, r] = op === '<' || op === '<=' ? [x, y] : [y, x];
    const jsOp = op === '<' || op === '>' ? '<' : '<=';
    const helper = jsOp === '<' ? 'lt' : 'le';
    return {
      ...expr(
        `(${sa}${sb}typeof ${x} === "number" && typeof ${y} === "number" ? ${l} ${jsOp} ${r} : ${helper}(${l}, ${r}, ${this.#pos(line)}))`,
      ),
      bool: true,
    };
  }

  #simpleExpr(): Expr {
    const lx = this.#lx;
    const line = lx.tokLine;
    switch (lx.token()) {
      case Tok.NUMBER: {
        const value = lx.value as number;
        lx.next();
        return { ...expr(numberCode(value), '', true), constant: { value } };
      }
      case Tok.STRING: {
        const value = lx.value as string;
        lx.next();
        return { ...expr(q(value), '', true), constant: { value } };
      }
      case 'nil':
        lx.next();
        return { ...expr('undefined', '', true), constant: { value: undefined } };
      case 'true':
        lx.next();
        return { ...expr('true', '', true), constant: { value: true } };
      case 'false':
        lx.next();
        return { ...expr('false', '', true), constant: { value: false } };
      case '...': {
        if (!this.#fs.vararg) this.#error("cannot use '...' outside a vararg function");
        lx.next();
        return { ...expr('va'), multi: true };
      }
      case '{':
        return this.#tableConstructor();
      case 'function':
        lx.next();
        return this.#body(line, false, 'anonymous');
      default:
        return this.#primaryExpr(false);
    }
  }

  #tableConstructor(): Expr {
    const lx = this.#lx;
    const line = lx.tokLine;
    this.#checkNext('{');
    const positional: Expr[] = [];
    const pairs: string[] = [];
    while (lx.token() !== '}') {
      if (lx.token() === Tok.NAME && this.#lx.lookahead() === '=') {
        const name = this.#checkName();
        lx.next();
        pairs.push(q(name), this.#single(this.#expr()).code);
      } else if (lx.token() === '[') {
        lx.next();
        const key = this.#single(this.#expr());
        this.#checkNext(']');
        this.#checkNext('=');
        pairs.push(key.code, this.#single(this.#expr()).code);
      } else {
        positional.push(this.#expr());
      }
      if (!this.#testNext(',') && !this.#testNext(';')) break;
    }
    this.#checkMatch('}', '{', line);
    const arr = `[${this.#argList(positional)}]`;
    return expr(
      `tbl(${arr}, ${pairs.length ? `[${pairs.join(', ')}]` : 'undefined'}, ${this.#pos(line)})`,
    );
  }

  /** Resolves a name: a local of this function, an upvalue, or a global. */
  #singleVar(name: string, _line: number): Expr {
    let fs: FunctionState | undefined = this.#fs;
    let upvalue = false;
    while (fs) {
      for (let i = fs.scopes.length - 1; i >= 0; i--) {
        const js = fs.scopes[i]?.names.get(name);
        if (js !== undefined) {
          return {
            ...expr(js, `${upvalue ? 'upvalue' : 'local'} '${name}'`, true),
            target: { kind: 'local', name: js },
          };
        }
      }
      fs = fs.parent;
      upvalue = true;
    }
    const line = this.#lx.tokLine;
    return {
      ...expr(
        `(G.hash.get(${q(name)}) ?? idxs(G, ${q(name)}, ${this.#pos(line)}, ""))`,
        `global '${name}'`,
      ),
      target: { kind: 'global', name },
    };
  }

  #indexed(object: Expr, key: Expr): Expr {
    const line = this.#lx.line;
    const obj = this.#single(object);
    const k = this.#single(key);
    const name =
      k.constant && typeof k.constant.value === 'string'
        ? `field '${k.constant.value}'`
        : "field '?'";
    const code =
      k.constant && typeof k.constant.value === 'string'
        ? `idxs(${obj.code}, ${k.code}, ${this.#pos(line)}, ${q(obj.desc)})`
        : `idx(${obj.code}, ${k.code}, ${this.#pos(line)}, ${q(obj.desc)})`;
    return { ...expr(code, name), target: { kind: 'index', object: obj, key: k } };
  }

  /** primaryexp { '.' NAME | '[' exp ']' | ':' NAME funcargs | funcargs } */
  #primaryExpr(_statement: boolean): Expr {
    const lx = this.#lx;
    let e: Expr;
    const line = lx.tokLine;
    if (lx.token() === Tok.NAME) {
      const name = lx.value as string;
      e = this.#singleVar(name, line);
      lx.next();
    } else if (lx.token() === '(') {
      lx.next();
      const inner = this.#single(this.#expr());
      this.#checkMatch(')', '(', line);
      // parentheses cut a call to one value and make the expression non-assignable
      const { target: _target, ...rest } = inner;
      e = { ...rest, multi: false };
    } else {
      this.#error('unexpected symbol');
    }
    for (;;) {
      switch (lx.token()) {
        case '.': {
          lx.next();
          const name = this.#checkName();
          e = this.#indexed(e, { ...expr(q(name), '', true), constant: { value: name } });
          break;
        }
        case '[': {
          lx.next();
          const key = this.#single(this.#expr());
          this.#checkNext(']');
          e = this.#indexed(e, key);
          break;
        }
        case ':': {
          lx.next();
          const name = this.#checkName();
          const callLine = lx.line;
          const [setup, object] = this.#operand(this.#single(e));
          const f = this.#tmp();
          const args = this.#callArgs(callLine);
          e = this.#call(
            `${setup}${f} = idxs(${object}, ${q(name)}, ${this.#pos(callLine)}, ${q(this.#single(e).desc)})`,
            f,
            [expr(object, '', true), ...args.exprs],
            args.line,
            `method '${name}'`,
          );
          break;
        }
        case '(':
        case Tok.STRING:
        case '{': {
          const callee = this.#single(e);
          const args = this.#callArgs(lx.line);
          const f = this.#tmp();
          e = this.#call(`${f} = ${callee.code}`, f, args.exprs, args.line, callee.desc);
          break;
        }
        default:
          return e;
      }
    }
  }

  /** funcargs: '(' [explist] ')' | constructor | STRING */
  #callArgs(line: number): { exprs: Expr[]; line: number } {
    const lx = this.#lx;
    switch (lx.token()) {
      case '(': {
        if (lx.tokLine !== lx.lastLine)
          this.#error('ambiguous syntax (function call x new statement)');
        lx.next();
        const exprs = lx.token() === ')' ? [] : this.#exprList();
        this.#checkMatch(')', '(', line);
        return { exprs, line };
      }
      case '{':
        return { exprs: [this.#tableConstructor()], line };
      case Tok.STRING: {
        const value = lx.value as string;
        lx.next();
        return { exprs: [{ ...expr(q(value), '', true), constant: { value } }], line };
      }
      default:
        this.#error('function arguments expected');
    }
  }

  /**
   * A call: Lua functions run as generators (yield* passes a preemption or coroutine yield up),
   * natives are called directly, anything else goes through __call. Arguments are evaluated into
   * temps first so each appears once in the three branches.
   */
  #call(setup: string, f: string, args: Expr[], line: number, desc: string): Expr {
    let prelude = setup;
    const codes: string[] = [];
    args.forEach((arg, i) => {
      const last = i === args.length - 1;
      if (last && arg.multi) {
        const t = this.#tmp();
        prelude += `, ${t} = ${arg.code}`;
        codes.push(`...${t}`);
        return;
      }
      const single = this.#single(arg);
      if (single.simple) codes.push(single.code);
      else {
        const t = this.#tmp();
        prelude += `, ${t} = ${single.code}`;
        codes.push(t);
      }
    });
    const list = codes.join(', ');
    const code =
      `(${prelude}, ${f} instanceof LF ? (R.l = ${line}, yield* ${f}.g(${list})) : ` +
      `typeof ${f} === "function" ? (R.l = ${line}, ${f}(${list})) : ` +
      `(yield* callm(${f}, [${list}], ${this.#pos(line)}, ${q(desc)})))`;
    return { code, multi: true, desc: '', simple: false, bool: false };
  }
}
