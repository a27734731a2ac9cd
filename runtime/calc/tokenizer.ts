// Hand-written lexer: one linear pass, no regular expressions over the whole input, so
// its cost is bounded by the length limit checked before it runs.
import { durationOrError as parseDuration } from '../platform';
import { CalcError } from './error';
import type { CalcLimits } from './limits';

export type TokenType = 'num' | 'dur' | 'str' | 'ident' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  /** source text (for 'str' the unquoted content) */
  text: string;
  /** numeric value for 'num', milliseconds for 'dur' */
  num: number;
  /** offset of the first character */
  pos: number;
}

const TWO_CHAR_OPS = new Set(['**', '<=', '>=', '==', '!=', '&&', '||']);
const ONE_CHAR_OPS = new Set(['+', '-', '*', '/', '%', '^', '<', '>', '!', '?', ':', ',', '(', ')']);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

export function tokenize(src: string, limits: CalcLimits): Token[] {
  if (typeof src !== 'string') throw new CalcError('the expression must be a string');
  if (src.length > limits.maxLength) {
    throw new CalcError(`expression is too long (${src.length} characters; the limit is ${limits.maxLength})`);
  }
  const out: Token[] = [];
  const push = (type: TokenType, text: string, num: number, pos: number) => {
    if (out.length >= limits.maxTokens) {
      throw new CalcError(`expression has too many tokens (the limit is ${limits.maxTokens})`, src, pos);
    }
    out.push({ type, text, num, pos });
  };
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    const start = i;
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(src.charCodeAt(i + 1)))) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (i < n && src.charCodeAt(i) === 46) {
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      const e = src.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const sign = src.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (isDigit(src.charCodeAt(j))) {
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      if (i < n && isIdentStart(src.charCodeAt(i))) {
        // a unit right after the number: a duration literal such as 5m or 1h30m
        while (i < n && (isIdentPart(src.charCodeAt(i)) || src.charCodeAt(i) === 46)) i++;
        const text = src.slice(start, i);
        const ms = parseDuration(text);
        if (typeof ms === 'string') throw new CalcError(ms, src, start);
        push('dur', text, ms, start);
        continue;
      }
      const text = src.slice(start, i);
      push('num', text, Number(text), start);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      push('ident', src.slice(start, i), 0, start);
      continue;
    }
    if (c === 39 || c === 34) {
      i++;
      let s = '';
      for (;;) {
        if (i >= n) throw new CalcError('unterminated string', src, start);
        const d = src.charCodeAt(i);
        if (d === c) { i++; break; }
        if (d === 10) throw new CalcError('unterminated string', src, start);
        if (d === 92) {
          const nx = src[i + 1];
          if (nx === '\\' || nx === "'" || nx === '"') { s += nx; i += 2; continue; }
          throw new CalcError('invalid escape in string (only \\\\, \\\' and \\" are allowed)', src, i);
        }
        s += src[i];
        i++;
      }
      push('str', s, 0, start);
      continue;
    }
    const two = src.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) { push('op', two, 0, start); i += 2; continue; }
    const one = src[i];
    if (ONE_CHAR_OPS.has(one)) { push('op', one, 0, start); i++; continue; }
    if (one === '=') throw new CalcError('unexpected "=" (use == to compare)', src, start);
    if (one === '&') throw new CalcError('unexpected "&" (use && or and)', src, start);
    if (one === '|') throw new CalcError('unexpected "|" (use || or or)', src, start);
    const cp = src.codePointAt(i) ?? c;
    throw new CalcError(`unexpected character ${JSON.stringify(String.fromCodePoint(cp))}`, src, start);
  }
  out.push({ type: 'eof', text: '', num: 0, pos: n });
  return out;
}
