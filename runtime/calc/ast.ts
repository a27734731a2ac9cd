// The syntax tree the parser produces and the compiler consumes. `pos` is the character
// offset of the node's first token, kept for error messages.

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicOp = '&&' | '||';
export type UnaryOp = '-' | '+' | '!';

export type Node =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'bool'; value: boolean; pos: number }
  | { kind: 'dur'; ms: number; text: string; pos: number }
  | { kind: 'str'; value: string; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'unary'; op: UnaryOp; arg: Node; pos: number }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node; pos: number }
  | { kind: 'logic'; op: LogicOp; left: Node; right: Node; pos: number }
  | { kind: 'cond'; test: Node; then: Node; else: Node; pos: number }
  | { kind: 'call'; name: string; args: Node[]; pos: number };

/** Words with a fixed meaning: they can be neither aliases nor functions. */
export const KEYWORDS: ReadonlySet<string> = new Set(['true', 'false', 'and', 'or', 'not', 'if', 'tag', 'pi']);
