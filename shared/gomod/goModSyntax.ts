/**
 * The go.mod lexer and parser (golang.org/x/mod/modfile read.go): the text becomes statements, each a
 * line of tokens or a `verb ( ... )` block of lines, with comments attached where modfile attaches
 * them. Meaning (which directives exist, what their arguments are) is goModFile's business.
 */
import { isGoPrintable, isGoSpace, quoteGoRune } from './goStringRules';
import { FileLineError } from '../fileLineError';
import type { GoModProblem } from './goModProblem';

/** A go.mod that cannot be read; the message is `file:line: reason`, like the go command's. */
export class GoModSyntaxError extends FileLineError {
  override name = 'GoModSyntaxError';

  constructor(
    file: string,
    line: number,
    reason: string,
    /** The reason as a code with its parts, for a screen to word. */
    readonly problem: GoModProblem,
  ) {
    super(file, line, reason);
  }
}

export interface ModComment {
  /** The comment from its `//`, without the line ending; '' marks a blank line kept inside a block. */
  text: string;
  line: number;
}

/** One line of tokens. Quoted strings keep their quotes, so `"("` is never mistaken for punctuation. */
export interface ModLine {
  kind: 'line';
  tokens: string[];
  line: number;
  /** Whole-line comments directly above (in a block: since the previous line, blank lines included). */
  before: ModComment[];
  /** The comment at the end of this line, if any. */
  suffix: ModComment | undefined;
}

export interface ModBlock {
  kind: 'block';
  /** The tokens before `(`: normally just the verb. */
  tokens: string[];
  line: number;
  before: ModComment[];
  /** The comment after `()` when the block is empty and written on one line. */
  suffix: ModComment | undefined;
  lines: ModLine[];
}

export type ModStatement = ModLine | ModBlock;

type TokenKind = 'eof' | 'newline' | 'comment' | 'lineEndComment' | 'lparen' | 'rparen' | 'word';

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
}

function endsLine(kind: TokenKind): boolean {
  return kind === 'eof' || kind === 'newline' || kind === 'lineEndComment';
}

// Runes that are tokens by themselves; everything else printable and not space runs together into a word.
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',']);

function isWordRune(ch: string): boolean {
  return !PUNCTUATION.has(ch) && !isGoSpace(ch) && isGoPrintable(ch);
}

class Lexer {
  private pos = 0;
  private lineNumber = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(line: number, reason: string, problem: GoModProblem): never {
    throw new GoModSyntaxError(this.file, line, reason, problem);
  }

  next(): Token {
    this.skipSpaces();
    const line = this.lineNumber;
    if (this.pos >= this.text.length) return { kind: 'eof', text: '', line };
    if (this.text.startsWith('//', this.pos)) return this.readComment();

    const ch = this.peekRune();
    if (ch === '\n') {
      this.advance(ch);
      return { kind: 'newline', text: ch, line };
    }
    if (PUNCTUATION.has(ch)) {
      this.advance(ch);
      return { kind: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'word', text: ch, line };
    }
    if (ch === '"' || ch === '`') return this.readString(ch);
    if (!isWordRune(ch)) this.fail(line, `unexpected input character ${quoteGoRune(ch)}`, { code: 'unexpected-character', character: quoteGoRune(ch) });
    return this.readWord();
  }

  private peekRune(): string {
    return String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0);
  }

  private advance(ch: string): void {
    this.pos += ch.length;
    if (ch === '\n') this.lineNumber++;
  }

  private skipSpaces(): void {
    while (this.pos < this.text.length) {
      const ch = this.text.charAt(this.pos);
      if (ch !== ' ' && ch !== '\t' && ch !== '\r') break;
      this.pos++;
    }
    this.rejectBlockComment();
  }

  private rejectBlockComment(): void {
    if (this.text.startsWith('/*', this.pos)) this.fail(this.lineNumber, 'mod files must use // comments (not /* */ comments)', { code: 'block-comment' });
  }

  // A comment runs to the end of its line and takes the newline with it. Whether anything precedes it
  // on its line decides what it is: a line-end comment ends its statement, a whole-line one stands alone.
  private readComment(): Token {
    const line = this.lineNumber;
    const lineStart = this.text.lastIndexOf('\n', this.pos - 1) + 1;
    const afterToken = /[^ \t\r]/.test(this.text.slice(lineStart, this.pos));
    const newline = this.text.indexOf('\n', this.pos);
    const end = newline < 0 ? this.text.length : newline;
    const text = this.text.slice(this.pos, end).replace(/\r$/, '');
    this.pos = newline < 0 ? end : end + 1;
    if (newline >= 0) this.lineNumber++;
    return { kind: afterToken ? 'lineEndComment' : 'comment', text, line };
  }

  // Strings never span lines. In "..." a backslash protects the next character from ending the string;
  // whether the escape is valid is decided later, when the value is needed.
  private readString(quote: string): Token {
    const line = this.lineNumber;
    const start = this.pos;
    this.pos++;
    for (;;) {
      const ch = this.text.charAt(this.pos);
      if (this.pos >= this.text.length || ch === '\n') this.fail(line, 'unterminated quoted string', { code: 'unterminated-string' });
      this.pos++;
      if (ch === quote) break;
      if (ch === '\\' && quote === '"') {
        const escaped = this.text.charAt(this.pos);
        if (this.pos >= this.text.length || escaped === '\n') this.fail(line, 'unterminated quoted string', { code: 'unterminated-string' });
        this.pos++;
      }
    }
    return { kind: 'word', text: this.text.slice(start, this.pos), line };
  }

  private readWord(): Token {
    const line = this.lineNumber;
    const start = this.pos;
    while (this.pos < this.text.length) {
      if (this.text.startsWith('//', this.pos)) break;
      this.rejectBlockComment();
      const ch = this.peekRune();
      if (!isWordRune(ch)) break;
      this.pos += ch.length;
    }
    return { kind: 'word', text: this.text.slice(start, this.pos), line };
  }
}

class Parser {
  private lookahead: Token;

  constructor(private readonly lexer: Lexer) {
    this.lookahead = lexer.next();
  }

  private peek(): Token {
    return this.lookahead;
  }

  private take(): Token {
    const token = this.lookahead;
    this.lookahead = this.lexer.next();
    return token;
  }

  parseFile(): ModStatement[] {
    const statements: ModStatement[] = [];
    // Whole-line comments belong to the statement right below them; a blank line breaks that bond.
    let pending: ModComment[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return statements;
      if (token.kind === 'newline') {
        this.take();
        pending = [];
      } else if (token.kind === 'comment') {
        this.take();
        pending.push({ text: token.text, line: token.line });
      } else {
        const statement = this.parseStatement();
        statement.before = pending;
        pending = [];
        statements.push(statement);
      }
    }
  }

  private parseStatement(): ModStatement {
    const first = this.take();
    const tokens = [first.text];
    for (;;) {
      const token = this.take();
      if (endsLine(token.kind)) return { kind: 'line', tokens, line: first.line, before: [], suffix: suffixOf(token) };
      if (token.kind !== 'lparen') {
        tokens.push(token.text);
        continue;
      }
      // `(` opens a block only at the end of a line; `()` there is an empty block; elsewhere both are plain tokens.
      if (endsLine(this.peek().kind)) return this.parseBlock(first.line, tokens);
      if (this.peek().kind === 'rparen') {
        const rparen = this.take();
        if (endsLine(this.peek().kind)) {
          const end = this.take();
          return { kind: 'block', tokens, line: first.line, before: [], suffix: suffixOf(end), lines: [] };
        }
        tokens.push(token.text, rparen.text);
      } else {
        tokens.push(token.text);
      }
    }
  }

  private parseBlock(startLine: number, tokens: string[]): ModBlock {
    const block: ModBlock = { kind: 'block', tokens, line: startLine, before: [], suffix: undefined, lines: [] };
    let comments: ModComment[] = [];
    for (;;) {
      const token = this.peek();
      switch (token.kind) {
        case 'lineEndComment':
          // Only possible right after `(`; it describes the block's opening, not any directive.
          this.take();
          break;
        case 'newline': {
          this.take();
          // A run of blank lines between lines is remembered once; blank lines right after `(` are not.
          const last = comments[comments.length - 1];
          if ((comments.length === 0 && block.lines.length > 0) || (last !== undefined && last.text !== '')) {
            comments.push({ text: '', line: token.line });
          }
          break;
        }
        case 'comment':
          this.take();
          comments.push({ text: token.text, line: token.line });
          break;
        case 'eof':
          return this.lexer.fail(startLine, `unterminated block: missing ')' to close '${tokens.join(' ')} ('`, { code: 'unterminated-block', block: tokens.join(' ') });
        case 'rparen': {
          const rparen = this.take();
          if (!endsLine(this.peek().kind)) this.lexer.fail(rparen.line, "syntax error (expected newline after closing paren)", { code: 'paren-newline' });
          this.take();
          return block;
        }
        default: {
          const line = this.parseBlockLine();
          line.before = comments;
          comments = [];
          block.lines.push(line);
        }
      }
    }
  }

  private parseBlockLine(): ModLine {
    const first = this.take();
    const tokens = [first.text];
    for (;;) {
      const token = this.take();
      if (endsLine(token.kind)) return { kind: 'line', tokens, line: first.line, before: [], suffix: suffixOf(token) };
      tokens.push(token.text);
    }
  }
}

function suffixOf(lineEnd: Token): ModComment | undefined {
  return lineEnd.kind === 'lineEndComment' ? { text: lineEnd.text, line: lineEnd.line } : undefined;
}

/** Splits go.mod text into statements; throws GoModSyntaxError at the first lexical or structural error. */
export function parseGoModSyntax(text: string, fileName: string): ModStatement[] {
  return new Parser(new Lexer(text, fileName)).parseFile();
}
