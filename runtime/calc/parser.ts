// Pratt parser. Recursion happens only for nesting (parentheses, call arguments, unary
// operands, right-hand sides), and every recursive entry counts against maxDepth, so
// `((((...))))` ten thousand deep stops with a clean error long before the JS stack.
import type { BinaryOp, Node } from './ast';
import { CalcError } from './error';
import type { CalcLimits } from './limits';
import { tokenize, type Token } from './tokenizer';

interface InfixInfo { bp: number; right: boolean; chain: boolean }

const INFIX: ReadonlyMap<string, InfixInfo> = new Map([
  ['?', { bp: 1, right: true, chain: true }],
  ['||', { bp: 2, right: false, chain: true }],
  ['or', { bp: 2, right: false, chain: true }],
  ['&&', { bp: 3, right: false, chain: true }],
  ['and', { bp: 3, right: false, chain: true }],
  ['==', { bp: 4, right: false, chain: false }],
  ['!=', { bp: 4, right: false, chain: false }],
  ['<', { bp: 5, right: false, chain: false }],
  ['<=', { bp: 5, right: false, chain: false }],
  ['>', { bp: 5, right: false, chain: false }],
  ['>=', { bp: 5, right: false, chain: false }],
  ['+', { bp: 6, right: false, chain: true }],
  ['-', { bp: 6, right: false, chain: true }],
  ['*', { bp: 7, right: false, chain: true }],
  ['/', { bp: 7, right: false, chain: true }],
  ['%', { bp: 7, right: false, chain: true }],
  ['^', { bp: 9, right: true, chain: true }],
  ['**', { bp: 9, right: true, chain: true }],
]);
const UNARY_BP = 8;

function describe(t: Token): string {
  switch (t.type) {
    case 'eof': return 'end of expression';
    case 'str': return `string ${JSON.stringify(t.text)}`;
    case 'num': return `number ${t.text}`;
    case 'dur': return `duration ${t.text}`;
    default: return `"${t.text}"`;
  }
}

export function parse(src: string, limits: CalcLimits): Node {
  const toks = tokenize(src, limits);
  let i = 0;
  let depth = 0;

  const peek = () => toks[i];
  const fail = (msg: string, at: Token | number): never => {
    throw new CalcError(msg, src, typeof at === 'number' ? at : at.pos);
  };
  const expect = (text: string) => {
    const t = toks[i];
    if (t.type !== 'op' || t.text !== text) fail(`expected "${text}" but found ${describe(t)}`, t);
    i++;
  };
  const infixOf = (t: Token): InfixInfo | undefined =>
    t.type === 'op' || (t.type === 'ident' && (t.text === 'and' || t.text === 'or')) ? INFIX.get(t.text) : undefined;

  function expr(minBp: number): Node {
    if (++depth > limits.maxDepth) fail(`expression is nested too deeply (the limit is ${limits.maxDepth})`, peek());
    let left = prefix();
    let lastNonChain = -1;
    for (;;) {
      const t = peek();
      const info = infixOf(t);
      if (!info || info.bp <= minBp) break;
      if (!info.chain && info.bp === lastNonChain) {
        fail(`comparisons cannot be chained; combine them with && (found ${describe(t)})`, t);
      }
      i++;
      if (t.text === '?') {
        const then = expr(0);
        expect(':');
        const otherwise = expr(0);
        left = { kind: 'cond', test: left, then, else: otherwise, pos: left.pos };
        continue;
      }
      const right = expr(info.right ? info.bp - 1 : info.bp);
      const op = t.text;
      if (op === '&&' || op === 'and') left = { kind: 'logic', op: '&&', left, right, pos: left.pos };
      else if (op === '||' || op === 'or') left = { kind: 'logic', op: '||', left, right, pos: left.pos };
      else left = { kind: 'binary', op: (op === '**' ? '^' : op) as BinaryOp, left, right, pos: left.pos };
      lastNonChain = info.chain ? -1 : info.bp;
    }
    depth--;
    return left;
  }

  function prefix(): Node {
    const t = toks[i++];
    switch (t.type) {
      case 'num': return { kind: 'num', value: t.num, pos: t.pos };
      case 'dur': return { kind: 'dur', ms: t.num, text: t.text, pos: t.pos };
      case 'str': return { kind: 'str', value: t.text, pos: t.pos };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', pos: t.pos };
        if (t.text === 'not') return { kind: 'unary', op: '!', arg: expr(UNARY_BP), pos: t.pos };
        if (t.text === 'and' || t.text === 'or') return fail(`unexpected ${describe(t)}`, t);
        if (peek().type === 'op' && peek().text === '(') {
          i++;
          const args: Node[] = [];
          if (!(peek().type === 'op' && peek().text === ')')) {
            for (;;) {
              args.push(expr(0));
              const sep = peek();
              if (sep.type === 'op' && sep.text === ',') { i++; continue; }
              if (sep.type === 'op' && sep.text === ')') break;
              fail(`expected "," or ")" but found ${describe(sep)}`, sep);
            }
          }
          expect(')');
          return { kind: 'call', name: t.text, args, pos: t.pos };
        }
        return { kind: 'ident', name: t.text, pos: t.pos };
      }
      case 'op': {
        if (t.text === '(') {
          const inner = expr(0);
          expect(')');
          return inner;
        }
        if (t.text === '-' || t.text === '+' || t.text === '!') {
          return { kind: 'unary', op: t.text, arg: expr(UNARY_BP), pos: t.pos };
        }
        return fail(`unexpected ${describe(t)}`, t);
      }
      default:
        return fail(`unexpected ${describe(t)}`, t);
    }
  }

  const root = expr(0);
  const end = peek();
  if (end.type !== 'eof') fail(`unexpected ${describe(end)}`, end);
  return root;
}
