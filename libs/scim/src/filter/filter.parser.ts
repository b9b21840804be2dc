import { InvalidFilterError } from '../scim-error.js';
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from './filter.ast.js';
import { filterSyntaxError, tokenizeFilter, type FilterToken } from './filter.lexer.js';
import { FILTER_LIMIT_CEILINGS, type FilterLimits } from './filter.limits.js';

/**
 * A hand-written recursive-descent parser for the filter grammar of RFC 7644 §3.4.2.2 (Figure 1):
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *
 * with the precedence of Table 3: `not` binds tightest, then `and`, then `or`; `and` and `or` associate to
 * the left. Operators, keywords and `true`/`false`/`null` are case-insensitive (ABNF literals are, RFC 5234
 * §2.3). Beyond the RFC it accepts what Microsoft Entra ID sends (../shared/ENTRA.md):
 *   - `emails[type eq "work"].value eq "x"`  → valuePath(emails, and(type eq "work", value eq "x"))
 *   - `emails[type eq "work"] eq "x"`        → valuePath(emails, and(type eq "work", value eq "x")), the form in
 *                                              Microsoft's SCIM tutorial (implicit `value`, as RFC 7644 §3.4.2.2
 *                                              does for multi-valued attributes without a sub-attribute)
 *   - unquoted values (`externalId eq jyoung`): a bare word that is not true/false/null or a JSON number is a string
 *   - a URL-encoded filter (see parseFilter)
 */

const COMPARISON_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
/** RFC 7643 §2.1 ATTRNAME, plus a leading `$` for `$ref`. */
const ATTRIBUTE_NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
/** RFC 8259 §6 number. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

/**
 * Parses a filter into the AST of filter.ast.ts, or throws InvalidFilterError (RFC 7644 §3.4.2.2) whose detail
 * names what was expected and the 0-based position, e.g. `expected a comparison operator at position 9 in
 * 'userName xx "a"'`.
 *
 * URL-encoded filters: the HTTP layer decodes the query string once, yet some clients encode the filter twice.
 * The raw text is always tried first, so a filter that is valid as received keeps its exact meaning (a value may
 * legitimately contain `%41`). Only when the raw text does not parse and contains a `%XX` escape is it decoded once
 * (percent escapes; `+` as a space only when the text holds no whitespace at all, i.e. it is fully form-encoded)
 * and parsed again. A filter that is valid in neither form reports the error of the decoded form, which is what
 * the client meant.
 *
 * `limits` (filter.limits.ts) are checked before and while parsing: a filter beyond one is invalidFilter naming
 * the limit, and no deeper than the limits is ever parsed.
 */
export function parseFilter(text: string, limits: FilterLimits = FILTER_LIMIT_CEILINGS): Filter {
  try {
    return new FilterParser(text, limits).parseWholeFilter();
  } catch (error) {
    if (!(error instanceof InvalidFilterError) || error instanceof FilterLimitError || !PERCENT_ESCAPE.test(text)) throw error;
    const decoded = decodeUrlEncodedFilter(text);
    if (decoded === undefined || decoded === text) throw error;
    return new FilterParser(decoded, limits).parseWholeFilter();
  }
}

/** A filter beyond one of its limits: invalidFilter (RFC 7644 §3.4.2.2), never retried in URL-decoded form. */
class FilterLimitError extends InvalidFilterError {}

/**
 * Parses `[URI ":"] ATTRNAME ["." ATTRNAME]` (RFC 7644 §3.10). The URI is everything before the last colon,
 * so the dots and colons inside `urn:...:2.0:User` stay in the URI.
 */
export function parseAttributePath(text: string): AttributePath {
  const leadingSpaces = text.length - text.trimStart().length;
  return attributePathFromWord(text.trim(), leadingSpaces, text);
}

function decodeUrlEncodedFilter(text: string): string | undefined {
  const formEncoded = !/\s/.test(text);
  try {
    return decodeURIComponent(formEncoded ? text.replace(/\+/g, ' ') : text);
  } catch {
    return undefined;
  }
}

/**
 * The parser over one filter text. Exported for the PATCH path grammar (RFC 7644 §3.5.2), which reuses
 * attribute paths and value filters.
 */
export class FilterParser {
  private readonly tokens: FilterToken[];
  private index = 0;
  private depth = 0;
  private comparisons = 0;
  private readonly attributePaths = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly limits: FilterLimits = FILTER_LIMIT_CEILINGS,
  ) {
    if (text.length > limits.maxLength) {
      throw new FilterLimitError(`the filter is ${text.length} characters long; at most ${limits.maxLength} are allowed`);
    }
    this.tokens = tokenizeFilter(text);
  }

  parseWholeFilter(): Filter {
    if (this.peek().kind === 'end') throw this.error('an attribute path, "(" or "not"');
    const filter = this.parseOr(false);
    if (this.peek().kind !== 'end') throw this.error('"and", "or" or the end of the filter');
    return filter;
  }

  /**
   * RFC 7644 §3.5.2 `PATH = attrPath / valuePath [subAttr]`: the attribute path (whose `subAttribute` is the one
   * after `]` for a value path) and the value filter, if any.
   */
  parseWholePatchPath(): { path: AttributePath; valueFilter?: Filter } {
    const first = this.peek();
    if (first.kind !== 'word') throw this.error('an attribute path');
    this.advance();
    const path = attributePathFromWord(first.text, first.position, this.text);
    if (this.peek().kind === 'end') return { path };
    if (this.peek().kind !== '[' || path.subAttribute !== undefined) throw this.error('"[" or the end of the path');
    this.advance();
    const valueFilter = this.nested(() => this.parseOr(true));
    this.expect(']', '"and", "or" or "]"');
    const subAttribute = this.parseSubAttributeAfterValuePath();
    if (this.peek().kind !== 'end') throw this.error('"." and a sub-attribute, or the end of the path');
    return { path: subAttribute === undefined ? path : { ...path, subAttribute }, valueFilter };
  }

  /** `inValuePath`: inside `[...]`, where paths name sub-attributes and value paths cannot nest. */
  private parseOr(inValuePath: boolean): Filter {
    let left = this.parseAnd(inValuePath);
    while (this.peekKeyword('or')) {
      this.advance();
      left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): Filter {
    let left = this.parseUnary(inValuePath);
    while (this.peekKeyword('and')) {
      this.advance();
      left = { kind: 'and', left, right: this.parseUnary(inValuePath) };
    }
    return left;
  }

  private parseUnary(inValuePath: boolean): Filter {
    const token = this.peek();
    if (this.peekKeyword('not') && this.peek(1).kind === '(') {
      this.advance();
      return { kind: 'not', filter: this.parseParenthesised(inValuePath) };
    }
    if (this.peekKeyword('not') && !this.peekComparisonOperator(1)) {
      // RFC 7644 §3.4.2.2: `not` takes a parenthesised filter; an attribute named `not` is followed by an operator.
      throw filterSyntaxError('"(" after "not"', this.peek(1).position, this.text);
    }
    if (token.kind === '(') return this.parseParenthesised(inValuePath);
    if (token.kind === 'word') return this.parseAttributeExpression(inValuePath);
    throw this.error(inValuePath ? 'a sub-attribute name, "(" or "not"' : 'an attribute path, "(" or "not"');
  }

  private parseParenthesised(inValuePath: boolean): Filter {
    this.expect('(', '"("');
    const filter = this.nested(() => this.parseOr(inValuePath));
    this.expect(')', '"and", "or" or ")"');
    return filter;
  }

  /** One more level of `(` or `[`: refused past maxDepth before it is parsed, so recursion stays bounded. */
  private nested(parse: () => Filter): Filter {
    this.depth += 1;
    if (this.depth > this.limits.maxDepth) {
      throw new FilterLimitError(`the filter is nested ${this.depth} deep at position ${this.peek(-1).position} ("(", "not (" and "[" each open a level); at most ${this.limits.maxDepth} levels are allowed`);
    }
    const filter = parse();
    this.depth -= 1;
    return filter;
  }

  /** Counts one comparison and its attribute path against maxComparisons and maxAttributePaths. */
  private countComparison(path: AttributePath): void {
    this.comparisons += 1;
    if (this.comparisons > this.limits.maxComparisons) {
      throw new FilterLimitError(`the filter has ${this.comparisons} comparisons or more; at most ${this.limits.maxComparisons} are allowed`);
    }
    this.countAttributePath(path);
  }

  private countAttributePath(path: AttributePath): void {
    this.attributePaths.add(`${path.uri ?? ''}:${path.attribute}.${path.subAttribute ?? ''}`.toLowerCase());
    if (this.attributePaths.size > this.limits.maxAttributePaths) {
      throw new FilterLimitError(`the filter names ${this.attributePaths.size} attribute paths or more; at most ${this.limits.maxAttributePaths} distinct ones are allowed`);
    }
  }

  private parseAttributeExpression(inValuePath: boolean): Filter {
    const word = this.advance() as Extract<FilterToken, { kind: 'word' }>;
    const path = attributePathFromWord(word.text, word.position, this.text);
    if (inValuePath && (path.uri !== undefined || path.subAttribute !== undefined)) {
      // RFC 7644 §3.4.2.2: inside a value filter, paths name sub-attributes of the enclosing attribute.
      throw filterSyntaxError('a sub-attribute name without URI or "."', word.position, this.text);
    }
    if (this.peek().kind !== '[') return this.parseOperatorAndValue(path);

    if (inValuePath) throw this.error('a comparison operator (value filters cannot nest)');
    if (path.subAttribute !== undefined) throw this.error('a comparison operator ("[" follows an attribute, not a sub-attribute)');
    this.advance();
    this.countAttributePath(path);
    const elementFilter = this.nested(() => this.parseOr(true));
    this.expect(']', '"and", "or" or "]"');

    const subAttribute = this.parseSubAttributeAfterValuePath();
    if (subAttribute !== undefined) {
      const comparison = this.parseOperatorAndValue({ attribute: subAttribute });
      return { kind: 'valuePath', path, filter: { kind: 'and', left: elementFilter, right: comparison } };
    }
    if (this.peekComparisonOperator()) {
      const comparison = this.parseOperatorAndValue({ attribute: 'value' });
      return { kind: 'valuePath', path, filter: { kind: 'and', left: elementFilter, right: comparison } };
    }
    return { kind: 'valuePath', path, filter: elementFilter };
  }

  /** `].value`: Entra's sub-attribute after a value filter (RFC 7644 §3.5.2 allows it in PATCH paths). */
  private parseSubAttributeAfterValuePath(): string | undefined {
    const token = this.peek();
    if (token.kind !== 'word' || !token.text.startsWith('.')) return undefined;
    const name = token.text.slice(1);
    if (!ATTRIBUTE_NAME.test(name)) throw filterSyntaxError('a sub-attribute name after "."', token.position + 1, this.text);
    this.advance();
    return name;
  }

  private parseOperatorAndValue(path: AttributePath): Filter {
    const token = this.peek();
    if (token.kind !== 'word') throw this.error('a comparison operator');
    const operator = token.text.toLowerCase();
    if (operator === 'pr') {
      this.advance();
      this.countComparison(path);
      return { kind: 'present', path };
    }
    if (!COMPARISON_OPERATORS.has(operator)) throw this.error('a comparison operator');
    this.advance();
    this.countComparison(path);
    return { kind: 'compare', path, op: operator as ComparisonOperator, value: this.parseValue() };
  }

  private parseValue(): FilterValue {
    const token = this.peek();
    if (token.kind === 'string') {
      this.advance();
      return token.value;
    }
    if (token.kind !== 'word') throw this.error('a value (a quoted string, a number, true, false or null)');
    this.advance();
    const lower = token.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (JSON_NUMBER.test(token.text)) return Number(token.text);
    // Entra: an unquoted value is the string as written.
    return token.text;
  }

  private peek(offset = 0): FilterToken {
    return this.tokens[Math.max(0, Math.min(this.index + offset, this.tokens.length - 1))];
  }

  private advance(): FilterToken {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private peekKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private peekComparisonOperator(offset = 0): boolean {
    const token = this.peek(offset);
    if (token.kind !== 'word') return false;
    const word = token.text.toLowerCase();
    return word === 'pr' || COMPARISON_OPERATORS.has(word);
  }

  private expect(kind: '(' | ')' | ']', expectation: string): void {
    if (this.peek().kind !== kind) throw this.error(expectation);
    this.advance();
  }

  private error(expectation: string): InvalidFilterError {
    return filterSyntaxError(expectation, this.peek().position, this.text);
  }
}

/** Splits a word at its last colon into URI and `attribute[.subAttribute]`, reporting the first bad part. */
function attributePathFromWord(word: string, position: number, text: string): AttributePath {
  const lastColon = word.lastIndexOf(':');
  const uri = lastColon >= 0 ? word.slice(0, lastColon) : undefined;
  const namesStart = lastColon + 1;
  const names = word.slice(namesStart).split('.');
  if (uri === '') throw filterSyntaxError('a schema URI before ":"', position, text);
  if (names.length > 2) {
    const extraDot = namesStart + names[0].length + 1 + names[1].length;
    throw filterSyntaxError('at most one sub-attribute (RFC 7644 §3.10)', position + extraDot, text);
  }
  const [attribute, subAttribute] = names;
  if (!ATTRIBUTE_NAME.test(attribute)) throw filterSyntaxError('an attribute path', position + namesStart, text);
  if (subAttribute !== undefined && !ATTRIBUTE_NAME.test(subAttribute)) {
    throw filterSyntaxError('a sub-attribute name after "."', position + namesStart + attribute.length + 1, text);
  }
  return {
    ...(uri !== undefined ? { uri } : {}),
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}
