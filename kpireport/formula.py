"""A KGI's driver formula (SPEC §2, §3a): arithmetic over KPI ids, parsed without ``eval``.

The grammar is small enough for a recursive-descent parser of our own:

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := ("+" | "-") factor | NUMBER | "[" KPI-ID "]" | "(" expression ")"

Workbook text is hostile: the text, the nesting depth and the number of KPIs a formula may
name are bounded before any work is done, and a formula is only ever evaluated by walking its
tree, so no input can reach Python's ``eval`` or run unbounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

MAX_FORMULA_CHARS = 500
MAX_DEPTH = 40
# Shapley attribution evaluates the formula for every subset of its KPIs: 2^12 subsets a month
# is still instant, 2^30 would never finish.
MAX_DRIVERS = 12

Operator = Literal["+", "-", "*", "/"]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)|\[(?P<kpi>[^\[\]]*)\]|(?P<op>[-+*/()]))"
)


class FormulaError(ValueError):
    """The formula cannot be read; the message says what is wrong and where."""


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Driver:
    kpi: str


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: Operator
    left: Node
    right: Node


Node = Number | Driver | Negate | Binary


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text as typed, its tree, and its KPI ids in order of appearance."""

    text: str
    root: Node
    kpis: tuple[str, ...]

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The formula's value for one month's values of its KPIs; ZeroDivisionError when a
        divisor is zero."""
        return _evaluate(self.root, values)

    def evaluate_mixes(self, plan: Mapping[str, float], actual: Mapping[str, float]) -> list[float]:
        """The formula at every mix of two sets of values: item ``mask`` takes KPI ``i`` (in
        the order of :attr:`kpis`) from ``actual`` where bit ``i`` of ``mask`` is set, else from
        ``plan``. ZeroDivisionError when any mix divides by zero.

        The tree is walked once over lists of 2^n values rather than 2^n times over one
        value: Shapley attribution needs every mix, and this is about ten times quicker."""
        size = 1 << len(self.kpis)
        # KPI i alternates plan and actual in runs of 2^i, as bit i of the index does.
        columns = {
            kpi: ([plan[kpi]] * (1 << i) + [actual[kpi]] * (1 << i)) * (size >> (i + 1))
            for i, kpi in enumerate(self.kpis)
        }
        return _evaluate_lists(self.root, columns, size)

    def degree_in(self, kpi: str) -> int | None:
        """1 where the formula is affine in ``kpi`` (a·x + b), 0 where it does not depend on
        it, None where it is not linear (a product of it with itself, or a division by it)."""
        return _degree(self.root, kpi)


def parse_formula(text: str, known: frozenset[str] | set[str] | None = None) -> Formula:
    """Parse ``text``; raise FormulaError naming the problem. ``known``: the KPI ids a
    formula may use (any when None)."""
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(f"the formula is {len(text):,} characters long; keep it under {MAX_FORMULA_CHARS:,}.")
    tokens = _tokens(text)
    parser = _Parser(tokens)
    root = parser.expression(0)
    if parser.position < len(tokens):
        raise FormulaError(f"unexpected {tokens[parser.position][1]!r} after a complete formula.")
    kpis = tuple(dict.fromkeys(_drivers(root)))
    if not kpis:
        raise FormulaError("the formula names no KPI; write KPI ids in square brackets, e.g. [SAL-02] * [SAL-04].")
    if len(kpis) > MAX_DRIVERS:
        raise FormulaError(f"the formula names {len(kpis)} KPIs; keep a driver tree to {MAX_DRIVERS} or fewer.")
    if known is not None:
        unknown = [kpi for kpi in kpis if kpi not in known]
        if unknown:
            raise FormulaError(f"[{unknown[0]}] is not a KPI id on the KPI sheet; type one of its ids.")
    _check_constant_divisors(root)
    return Formula(text, root, kpis)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            bad = text[position:].lstrip()[:1]
            raise FormulaError(
                f"{bad!r} cannot be read; use KPI ids in square brackets, numbers, + - * / and parentheses."
            )
        position = match.end()
        if match.group("number") is not None:
            tokens.append(("number", match.group("number")))
        elif match.group("kpi") is not None:
            kpi = match.group("kpi").strip()
            if not kpi:
                raise FormulaError("[] names no KPI; type a KPI id between the brackets.")
            tokens.append(("kpi", kpi))
        else:
            tokens.append(("op", match.group("op")))
    if not tokens:
        raise FormulaError("the formula is empty.")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take_op(self, *ops: str) -> str | None:
        token = self._peek()
        if token is not None and token[0] == "op" and token[1] in ops:
            self.position += 1
            return token[1]
        return None

    def expression(self, depth: int) -> Node:
        node = self.term(depth)
        while (op := self._take_op("+", "-")) is not None:
            node = Binary("+" if op == "+" else "-", node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.factor(depth)
        while (op := self._take_op("*", "/")) is not None:
            node = Binary("*" if op == "*" else "/", node, self.factor(depth))
        return node

    def factor(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula nests deeper than {MAX_DEPTH} levels; simplify it.")
        if (op := self._take_op("+", "-")) is not None:
            operand = self.factor(depth + 1)
            return operand if op == "+" else Negate(operand)
        token = self._peek()
        if token is None:
            raise FormulaError("the formula ends too early; it is missing a value after the last operator.")
        kind, text = token
        self.position += 1
        if kind == "number":
            value = float(text)
            if not math.isfinite(value):
                raise FormulaError(f"{text} is too large a number.")
            return Number(value)
        if kind == "kpi":
            return Driver(text)
        if text == "(":
            node = self.expression(depth + 1)
            if self._take_op(")") is None:
                raise FormulaError("a parenthesis is opened and never closed; add the missing ')'.")
            return node
        raise FormulaError(f"{text!r} is not expected here; a KPI id, a number or '(' is.")


def _drivers(node: Node) -> list[str]:
    if isinstance(node, Driver):
        return [node.kpi]
    if isinstance(node, Negate):
        return _drivers(node.operand)
    if isinstance(node, Binary):
        return _drivers(node.left) + _drivers(node.right)
    return []


def _check_constant_divisors(node: Node) -> None:
    """A division by a constant zero is a typing error, whatever the data."""
    if isinstance(node, Negate):
        _check_constant_divisors(node.operand)
    elif isinstance(node, Binary):
        _check_constant_divisors(node.left)
        _check_constant_divisors(node.right)
        if node.op == "/" and not _drivers(node.right):
            try:
                divisor = _evaluate(node.right, {})
            except ZeroDivisionError:
                divisor = 0.0
            if divisor == 0:
                raise FormulaError("the formula divides by zero; correct the divisor.")


def _evaluate(node: Node, values: Mapping[str, float]) -> float:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Driver):
        return values[node.kpi]
    if isinstance(node, Negate):
        return -_evaluate(node.operand, values)
    left = _evaluate(node.left, values)
    right = _evaluate(node.right, values)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        raise ZeroDivisionError
    return left / right


def _evaluate_lists(node: Node, columns: Mapping[str, list[float]], size: int) -> list[float]:
    if isinstance(node, Number):
        return [node.value] * size
    if isinstance(node, Driver):
        return columns[node.kpi]
    if isinstance(node, Negate):
        return [-v for v in _evaluate_lists(node.operand, columns, size)]
    left = _evaluate_lists(node.left, columns, size)
    right = _evaluate_lists(node.right, columns, size)
    if node.op == "+":
        return [a + b for a, b in zip(left, right, strict=True)]
    if node.op == "-":
        return [a - b for a, b in zip(left, right, strict=True)]
    if node.op == "*":
        return [a * b for a, b in zip(left, right, strict=True)]
    if 0 in right:  # -0.0 too
        raise ZeroDivisionError
    return [a / b for a, b in zip(left, right, strict=True)]


def _degree(node: Node, kpi: str) -> int | None:
    if isinstance(node, Number):
        return 0
    if isinstance(node, Driver):
        return 1 if node.kpi == kpi else 0
    if isinstance(node, Negate):
        return _degree(node.operand, kpi)
    left, right = _degree(node.left, kpi), _degree(node.right, kpi)
    if left is None or right is None:
        return None
    if node.op in ("+", "-"):
        return max(left, right)
    if node.op == "*":
        return left + right if left + right <= 1 else None
    return left if right == 0 else None
