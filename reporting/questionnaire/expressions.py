"""The small expression language of ``show_if`` and cross-field checks.

Parsed with a real grammar (lark, LALR) into a small immutable AST and
evaluated by walking it — never ``eval``. There is no attribute access, no
function call, no ``**``: a name is an answer key, looked up in a mapping.
Everything a spec author can get wrong (syntax, unknown key, a number out of
range, too deep a nesting) is an ``ExpressionError`` at generate/validate
time, so evaluation at fill-in time cannot fail.

    poa2009.I.2.a.status in ['planned', 'in_progress'] and not (x.number > 10 * 2)

Semantics: a missing answer is ``None``; a comparison involving ``None`` is
false (so is ``None in [...]`` and ``None not in [...]``); arithmetic with
``None``, a division by zero or a result beyond ``MAX_NUMBER`` gives
``None``. Keys may contain hyphens, so write spaces around a minus sign.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Collection, Iterator, Mapping, Union

from lark import Lark, Token, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError
from lark.visitors import Transformer_NonRecursive, v_args

MAX_LENGTH = 1000
MAX_DEPTH = 32
MAX_NUMBER = 10**15

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr "or" and_expr -> or_
?and_expr: not_expr | and_expr "and" not_expr -> and_
?not_expr: comparison | "not" not_expr -> not_
?comparison: sum
    | sum COMPARE sum -> compare
    | sum "in" sum -> member
    | sum "not" "in" sum -> not_member
?sum: product | sum PLUS product -> arith | sum MINUS product -> arith
?product: unary | product TIMES unary -> arith | product DIVIDE unary -> arith
?unary: atom | MINUS unary -> neg
?atom: NUMBER -> number
    | STRING -> string
    | "true" -> true
    | "false" -> false
    | KEY -> ref
    | "[" [or_expr ("," or_expr)*] "]" -> list_
    | "(" or_expr ")"

COMPARE: "==" | "!=" | "<=" | ">=" | "<" | ">"
PLUS: "+"
MINUS: "-"
TIMES: "*"
DIVIDE: "/"
NUMBER: /[0-9]+(\.[0-9]+)?/
STRING: /'[^'\n]*'/ | /"[^"\n]*"/
KEY: /[A-Za-z][A-Za-z0-9_]*([.-][A-Za-z0-9_]+)*/
%ignore /[ \t\r\n]+/
"""
_PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=False, propagate_positions=True)

Number = Union[int, float]


class ExpressionError(ValueError):
    """A bad expression: which item (or check) it belongs to, where (1-based character), what."""

    def __init__(self, key: str, position: int, message: str):
        super().__init__(f"{key}: {message} at character {position}")
        self.key, self.position, self.message = key, position, message


# --- AST -------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    value: Union[bool, int, float, str]


@dataclass(frozen=True)
class Ref:
    key: str
    position: int = field(default=1, compare=False)


@dataclass(frozen=True)
class ListOf:
    items: tuple["Node", ...]
    position: int = field(default=1, compare=False)


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class Neg:
    operand: "Node"


@dataclass(frozen=True)
class Logical:
    op: str  # and | or
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >=
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Member:
    item: "Node"
    collection: "Node"  # a list, or the answer of a multiple-choice item
    negated: bool = False
    position: int = field(default=1, compare=False)


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: "Node"
    right: "Node"


Node = Union[Literal, Ref, ListOf, Not, Neg, Logical, Compare, Member, Arith]


def children(node: Node) -> tuple[Node, ...]:
    match node:
        case ListOf(items):
            return items
        case Not(operand) | Neg(operand):
            return (operand,)
        case Logical(_, left, right) | Compare(_, left, right) | Arith(_, left, right):
            return (left, right)
        case Member(item, collection):
            return (item, collection)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node, depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def referenced_keys(node: Node) -> list[str]:
    """Answer keys the expression reads, in order of first appearance."""
    return list(dict.fromkeys(n.key for n in walk(node) if isinstance(n, Ref)))


# --- Parsing ---------------------------------------------------------------

class _Problem(Exception):
    def __init__(self, position: int, message: str):
        self.position, self.message = position, message


@v_args(inline=True)
class _ToAst(Transformer_NonRecursive):
    def or_(self, left, right):
        return Logical("or", left, right)

    def and_(self, left, right):
        return Logical("and", left, right)

    def not_(self, operand):
        return Not(operand)

    def compare(self, left, op, right):
        return Compare(str(op), left, right)

    @v_args(inline=True, meta=True)
    def member(self, meta, item, collection):
        return Member(item, collection, position=meta.start_pos + 1)

    @v_args(inline=True, meta=True)
    def not_member(self, meta, item, collection):
        return Member(item, collection, negated=True, position=meta.start_pos + 1)

    def arith(self, left, op, right):
        return Arith(str(op), left, right)

    def neg(self, _minus, operand):
        return Neg(operand)

    def number(self, token: Token):
        value = float(token) if "." in token else int(token)
        if abs(value) > MAX_NUMBER:
            raise _Problem(token.start_pos + 1, f"number {token[:20]} is larger than {MAX_NUMBER:.0e}")
        return Literal(value)

    def string(self, token: Token):
        return Literal(str(token)[1:-1])

    def true(self):
        return Literal(True)

    def false(self):
        return Literal(False)

    def ref(self, token: Token):
        return Ref(str(token), token.start_pos + 1)

    @v_args(inline=True, meta=True)
    def list_(self, meta, *items):
        return ListOf(tuple(items), position=meta.start_pos + 1)


def _check_structure(node: Node) -> None:
    """Lists appear only after ``in``; ``in`` needs a list or a (multiple-choice) answer."""
    collections = {id(n.collection) for n in walk(node) if isinstance(n, Member)}
    for n in walk(node):
        if isinstance(n, ListOf) and id(n) not in collections:
            raise _Problem(n.position, "a list can only follow 'in'")
        if isinstance(n, Member) and not isinstance(n.collection, (ListOf, Ref)):
            raise _Problem(n.position, "'in' must be followed by a list or an answer key")


def _depth(node: Node) -> int:
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children(current))
    return deepest


def _describe(error: UnexpectedInput, text: str) -> _Problem:
    position = (error.pos_in_stream or 0) + 1
    if isinstance(error, UnexpectedCharacters):
        return _Problem(position, f"unexpected character {text[error.pos_in_stream]!r}")
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        return _Problem(len(text) + 1, "unexpected end of expression")
    return _Problem(position, f"unexpected {str(error.token)!r}")


@lru_cache(maxsize=4096)
def _compile(text: str) -> Node:
    if len(text) > MAX_LENGTH:
        raise _Problem(MAX_LENGTH + 1, f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise _Problem(1, "empty expression")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise _describe(error, text) from None
    try:
        node = _ToAst().transform(tree)
    except VisitError as error:  # lark wraps what a callback raises
        if isinstance(error.orig_exc, _Problem):
            raise error.orig_exc from None
        raise
    if _depth(node) > MAX_DEPTH:
        raise _Problem(1, f"expression nested deeper than {MAX_DEPTH} levels")
    _check_structure(node)
    return node


def parse(text: str, key: str = "<expression>", known_keys: Collection[str] | None = None) -> Node:
    """The AST of ``text``; with ``known_keys``, every key it reads must be one of them.

    ``key`` names the item or check the expression belongs to, for the error.
    """
    if not isinstance(text, str):
        raise ExpressionError(key, 1, "an expression must be a string")
    try:
        node = _compile(text)
    except _Problem as problem:
        raise ExpressionError(key, problem.position, problem.message) from None
    if known_keys is not None:
        for ref in (n for n in walk(node) if isinstance(n, Ref)):
            if ref.key not in known_keys:
                hint = " (write spaces around '-' to subtract)" if "-" in ref.key else ""
                raise ExpressionError(key, ref.position, f"unknown key {ref.key!r}{hint}")
    return node


# --- Evaluation ------------------------------------------------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_ARITH: dict[str, Callable[[Number, Number], Number]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    comparable = (_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str))
    return comparable and _ORDER[op](left, right)


def _bounded(value: Number | None) -> Number | None:
    return value if value is not None and abs(value) <= MAX_NUMBER else None


def _arith(op: str, left: Any, right: Any) -> Number | None:
    if not (_is_number(left) and _is_number(right)):
        return None
    if op == "/":
        return _bounded(left / right) if right else None
    return _bounded(_ARITH[op](left, right))


def evaluate(node: Node, answers: Mapping[str, Any]) -> Any:
    """The value of ``node`` over ``answers`` (key → answer; missing = None)."""
    match node:
        case Literal(value):
            return value
        case Ref(key):
            return answers.get(key)
        case ListOf(items):
            return [evaluate(item, answers) for item in items]
        case Not(operand):
            return not evaluate(operand, answers)
        case Neg(operand):
            value = evaluate(operand, answers)
            return -value if _is_number(value) else None
        case Logical("and", left, right):
            return bool(evaluate(left, answers)) and bool(evaluate(right, answers))
        case Logical(_, left, right):
            return bool(evaluate(left, answers)) or bool(evaluate(right, answers))
        case Compare(op, left, right):
            return _compare(op, evaluate(left, answers), evaluate(right, answers))
        case Member(item, collection, negated):
            value, values = evaluate(item, answers), evaluate(collection, answers)
            if value is None or not isinstance(values, list):
                return False
            return any(_equal(value, v) for v in values) != negated
        case Arith(op, left, right):
            return _arith(op, evaluate(left, answers), evaluate(right, answers))
    raise TypeError(f"not an expression node: {node!r}")


def holds(node: Node, answers: Mapping[str, Any]) -> bool:
    """Whether a ``show_if`` or check is satisfied."""
    return bool(evaluate(node, answers))


# --- Other forms of the AST -------------------------------------------------

def to_dict(node: Node) -> dict[str, Any]:
    """A JSON-able form for the browser: ``{"op": ..., "args": [...]}``, plus ``key``/``value`` on leaves."""
    match node:
        case Literal(value):
            return {"op": "literal", "value": value}
        case Ref(key):
            return {"op": "ref", "key": key}
        case ListOf() | Not() | Neg():
            op = {ListOf: "list", Not: "not", Neg: "neg"}[type(node)]
            return {"op": op, "args": [to_dict(child) for child in children(node)]}
        case Member(_, _, negated):
            return {"op": "not in" if negated else "in", "args": [to_dict(child) for child in children(node)]}
        case Logical(op) | Compare(op) | Arith(op):
            return {"op": op, "args": [to_dict(child) for child in children(node)]}
    raise TypeError(f"not an expression node: {node!r}")


_XPATH_OPERATORS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
                    "+": "+", "-": "-", "*": "*", "/": "div"}


def _xpath_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    return format(Decimal(repr(value)), "f")


def to_xpath(node: Node, key_to_name: Mapping[str, str]) -> str:
    """The XPath of an XLSForm ``relevant``/``constraint``: ``${name}`` for answers,
    ``selected()`` for membership in a multiple-choice answer.

    XPath treats an empty answer as ``''`` (so ``'' != 'x'`` is true); answers
    compared with ``!=``, with each other or by ``not in`` are guarded so
    that, as here, an unanswered question satisfies none of these.
    """
    def answered(operand: Node) -> list[str]:
        return [f"{convert(operand)} != ''"] if isinstance(operand, Ref) else []

    def convert(n: Node) -> str:
        match n:
            case Literal(value):
                return _xpath_literal(value)
            case Ref(key):
                return "${" + key_to_name[key] + "}"
            case Not(operand):
                return f"not({convert(operand)})"
            case Neg(operand):
                return f"(-{convert(operand)})"
            case Logical(op, left, right):
                return f"({convert(left)} {op} {convert(right)})"
            case Compare("!=", left, right) | Compare("==", Ref() as left, Ref() as right):
                op = _XPATH_OPERATORS[n.op]
                return _all([*answered(left), *answered(right), f"{convert(left)} {op} {convert(right)}"])
            case Compare(op, left, right) | Arith(op, left, right):
                return f"({convert(left)} {_XPATH_OPERATORS[op]} {convert(right)})"
            case Member(item, ListOf(items), negated):
                test = _any([f"{convert(item)} = {convert(option)}" for option in items])
                return _all([*answered(item), f"not({test})"]) if negated else test
            case Member(item, collection, negated):
                test = f"selected({convert(collection)}, {convert(item)})"
                return _all([*answered(item), f"not({test})"]) if negated else test
        raise TypeError(f"not an expression node: {n!r}")

    return convert(node)


def _any(terms: list[str]) -> str:
    return f"({' or '.join(terms)})" if terms else "false()"


def _all(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"({' and '.join(terms)})"
