"""Fees and charges (phí, lệ phí) of a procedure: validation and computation.

``ProcedureVersion.fees`` is a JSON list; every amount is a whole number of đồng.
Each item is either a fixed amount or a rule::

    {"name": "Lệ phí đăng ký", "amount": 50000}
    {"name": "Phí chứng thực bản sao", "rule": {...}, "note": "TT 226/2016/TT-BTC"}

The rule language is deliberately tiny (data an operator types, never code that
runs): a rule reads one *declared input* of the request and has one of two forms.

Quantity rule: so much per unit, optionally in tiers, optionally capped::

    {"input": "pages", "unit": "trang", "default": 1,
     "tiers": [{"up_to": 2, "per_unit": 2000}, {"per_unit": 1000}],
     "max": 200000, "times": "copies"}

    {"input": "copies", "unit": "bản", "per_unit": 8000}

* ``input``: name of the quantity (lower-case letters, digits, ``_``);
* ``per_unit`` (one rate) or ``tiers`` (rates by band: a tier with ``up_to: N``
  covers units up to the N-th, the last tier has no ``up_to`` and covers the rest);
* ``default``: quantity when the request does not give one (1 if left out);
* ``max``: cap of the amount (before ``times``);
* ``unit``: a word for people (“trang”, “bản”);
* ``times``: another quantity input multiplying the whole amount (e.g. copies of
  a certified copy, each charged by its pages); 1 when not given.

Table rule: the amount for a choice::

    {"input": "applicant", "table": {"thong_thuong": 200000, "sinh_vien": 100000},
     "default": "thong_thuong", "labels": {"thong_thuong": "Thông thường", ...}}

* ``table``: choice key → amount; ``default``: the key used when the request does
  not choose (required); ``labels``: optional names of the choices for people;
  ``times`` as above.

:func:`compute` evaluates the items with the inputs given (unknown input names
are ignored, so a caller may pass everything it has); without inputs every rule
takes its defaults, which is the “fee total” shown in lists and exports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext as _

#: Largest amount accepted anywhere (10^13 đồng): beyond it a typo is far likelier.
MAX_AMOUNT = 10**13
MAX_QUANTITY = 10**6
_INPUT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ITEM_KEYS = {"name", "amount", "rule", "note"}
_QUANTITY_KEYS = {"input", "unit", "default", "per_unit", "tiers", "max", "times"}
_TABLE_KEYS = {"input", "table", "default", "labels", "times"}


@dataclass(frozen=True)
class Problem:
    """One mistake in a fee list, at ``path`` (e.g. ``[1].rule.tiers[0].per_unit``)."""

    path: str
    message: str


@dataclass(frozen=True)
class FeeInput:
    """An input a fee rule reads: a quantity (``choices`` empty) or a choice."""

    name: str
    unit: str = ""
    default: int | str = 1
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_amount(value: Any, path: str, problems: list[Problem]) -> None:
    if not _is_int(value) or value < 0:
        problems.append(Problem(path, _("Must be a whole number of đồng, 0 or more.")))
    elif value > MAX_AMOUNT:
        problems.append(Problem(path, _("The amount is too large.")))


def _check_input_name(value: Any, path: str, problems: list[Problem]) -> None:
    if not isinstance(value, str) or not _INPUT_NAME.match(value):
        problems.append(
            Problem(
                path,
                _(
                    "Must be an input name: lower-case letters without diacritics, digits "
                    "and _, starting with a letter (e.g. pages)."
                ),
            )
        )


def _unknown_keys(item: Mapping[str, Any], allowed: set[str], path: str) -> list[Problem]:
    return [
        Problem(f"{path}.{key}", _("Unknown key.")) for key in sorted(set(item) - allowed, key=str)
    ]


def _check_quantity_rule(rule: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    problems += _unknown_keys(rule, _QUANTITY_KEYS, path)
    has_rate, has_tiers = "per_unit" in rule, "tiers" in rule
    if has_rate == has_tiers:
        problems.append(Problem(path, _("Give either per_unit or tiers (exactly one).")))
    if has_rate:
        _check_amount(rule["per_unit"], f"{path}.per_unit", problems)
    if has_tiers:
        tiers = rule["tiers"]
        if not isinstance(tiers, list) or not tiers:
            problems.append(Problem(f"{path}.tiers", _("Must be a non-empty list of tiers.")))
        else:
            previous = 0
            for index, tier in enumerate(tiers):
                where = f"{path}.tiers[{index}]"
                if not isinstance(tier, Mapping):
                    problems.append(Problem(where, _("Each tier must be an object.")))
                    continue
                problems += _unknown_keys(tier, {"up_to", "per_unit"}, where)
                if "per_unit" not in tier:
                    problems.append(Problem(f"{where}.per_unit", _("This key is required.")))
                else:
                    _check_amount(tier["per_unit"], f"{where}.per_unit", problems)
                last = index == len(tiers) - 1
                if last:
                    if "up_to" in tier:
                        problems.append(
                            Problem(
                                f"{where}.up_to",
                                _("The last tier covers every further unit: leave up_to out."),
                            )
                        )
                    continue
                bound = tier.get("up_to")
                if not isinstance(bound, int) or isinstance(bound, bool) or bound <= previous:
                    problems.append(
                        Problem(
                            f"{where}.up_to",
                            _("Must be a whole number larger than the previous tier's (%(n)s).")
                            % {"n": previous},
                        )
                    )
                else:
                    previous = bound
    if "default" in rule and (
        not _is_int(rule["default"]) or not 0 <= rule["default"] <= MAX_QUANTITY
    ):
        problems.append(Problem(f"{path}.default", _("Must be a whole number, 0 or more.")))
    if "max" in rule:
        _check_amount(rule["max"], f"{path}.max", problems)
    if "unit" in rule and not isinstance(rule["unit"], str):
        problems.append(Problem(f"{path}.unit", _("Must be text.")))


def _check_table_rule(rule: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    problems += _unknown_keys(rule, _TABLE_KEYS, path)
    table = rule["table"]
    if not isinstance(table, Mapping) or not table:
        problems.append(Problem(f"{path}.table", _("Must map each choice to an amount.")))
        return
    for key, amount in table.items():
        _check_input_name(key, f"{path}.table.{key}", problems)
        _check_amount(amount, f"{path}.table.{key}", problems)
    if rule.get("default") not in table:
        problems.append(Problem(f"{path}.default", _("Must be one of the choices of the table.")))
    labels = rule.get("labels", {})
    if not isinstance(labels, Mapping) or any(
        key not in table or not isinstance(value, str) for key, value in labels.items()
    ):
        problems.append(
            Problem(f"{path}.labels", _("Must give a text label to choices of the table."))
        )


def check_fees(fees: Any) -> list[Problem]:
    """Every mistake in a fee list (empty when it is valid)."""
    if not isinstance(fees, list):
        return [Problem("", _("Must be a list of fees."))]
    problems: list[Problem] = []
    for index, item in enumerate(fees):
        path = f"[{index}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(path, _("Each fee must be an object.")))
            continue
        problems += _unknown_keys(item, _ITEM_KEYS, path)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"{path}.name", _("Give the fee a name.")))
        if "note" in item and not isinstance(item["note"], str):
            problems.append(Problem(f"{path}.note", _("Must be text.")))
        has_amount, has_rule = "amount" in item, "rule" in item
        if has_amount == has_rule:
            problems.append(Problem(path, _("Give either amount or rule (exactly one).")))
            continue
        if has_amount:
            _check_amount(item["amount"], f"{path}.amount", problems)
            continue
        rule = item["rule"]
        where = f"{path}.rule"
        if not isinstance(rule, Mapping):
            problems.append(Problem(where, _("A rule must be an object.")))
            continue
        if "input" not in rule:
            problems.append(Problem(f"{where}.input", _("This key is required.")))
        else:
            _check_input_name(rule["input"], f"{where}.input", problems)
        if "times" in rule:
            _check_input_name(rule["times"], f"{where}.times", problems)
            if rule["times"] == rule.get("input"):
                problems.append(Problem(f"{where}.times", _("Must name another input than input.")))
        if "table" in rule:
            _check_table_rule(rule, where, problems)
        else:
            _check_quantity_rule(rule, where, problems)
    problems += _input_conflicts(fees) if not problems else []
    return problems


def _input_conflicts(fees: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """One input name may not be a quantity in one rule and a choice in another."""
    kinds: dict[str, str] = {}
    problems: list[Problem] = []
    for index, item in enumerate(fees):
        rule = item.get("rule")
        if not isinstance(rule, Mapping):
            continue
        key = str(rule.get("input"))
        kind = "table" if "table" in rule else "quantity"
        if kinds.setdefault(key, kind) != kind:
            problems.append(
                Problem(
                    f"[{index}].rule.input",
                    _("The input %(name)s is a quantity in one rule and a choice in another.")
                    % {"name": key},
                )
            )
        times = rule.get("times")
        if times is not None and kinds.setdefault(str(times), "quantity") != "quantity":
            problems.append(
                Problem(
                    f"[{index}].rule.times",
                    _("The input %(name)s is a choice elsewhere; times needs a quantity.")
                    % {"name": times},
                )
            )
    return problems


def validate_fees(fees: Any) -> list[dict[str, Any]]:
    """The fee list if valid, else ``ValidationError`` listing every mistake."""
    problems = check_fees(fees)
    if problems:
        raise ValidationError(
            [f"fees{problem.path}: {problem.message}" for problem in problems], code="fees"
        )
    return list(fees)


# --- inputs and computation ------------------------------------------------------


def table_choices(rule: Mapping[str, Any]) -> list[tuple[str, int]]:
    """A table's choices in a stable order: the default first, then by amount from
    the highest (PostgreSQL's jsonb does not keep the order keys were written in)."""
    default = rule.get("default")
    return sorted(
        ((str(key), int(amount)) for key, amount in rule["table"].items()),
        key=lambda item: (item[0] != default, -item[1], item[0]),
    )


def fee_inputs(fees: Sequence[Mapping[str, Any]]) -> list[FeeInput]:
    """The inputs the rules of a (valid) fee list read, in order of first use."""
    found: dict[str, FeeInput] = {}
    for item in fees:
        rule = item.get("rule")
        if not isinstance(rule, Mapping):
            continue
        name = str(rule["input"])
        if name not in found:
            if "table" in rule:
                labels = rule.get("labels", {})
                choices = {key: str(labels.get(key, key)) for key, _amount in table_choices(rule)}
                found[name] = FeeInput(name, default=str(rule["default"]), choices=choices)
            else:
                found[name] = FeeInput(
                    name, unit=str(rule.get("unit", "")), default=int(rule.get("default", 1))
                )
        times = rule.get("times")
        if times and times not in found:
            found[str(times)] = FeeInput(str(times), default=1)
    return list(found.values())


def _quantity(inputs: Mapping[str, Any], name: str, default: int) -> int:
    if name not in inputs or inputs[name] in (None, ""):
        return default
    raw = inputs[name]
    if isinstance(raw, bool):
        raw = None
    try:
        value = int(str(raw).strip()) if raw is not None else -1
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_QUANTITY:
        raise ValidationError(
            _("%(name)s must be a whole number between 0 and %(max)s.")
            % {"name": name, "max": MAX_QUANTITY},
            code="invalid_fee_input",
            params={"field": name},
        )
    return value


def _tiered(rule: Mapping[str, Any], units: int) -> int:
    if "per_unit" in rule:
        return int(rule["per_unit"]) * units
    total = 0
    lower = 0
    for tier in rule["tiers"]:
        upper = tier.get("up_to")
        band = units - lower if upper is None else max(0, min(units, upper) - lower)
        total += band * int(tier["per_unit"])
        if upper is None or units <= upper:
            break
        lower = upper
    return total


def rule_amount(rule: Mapping[str, Any], inputs: Mapping[str, Any]) -> int:
    """The amount of one (valid) rule for ``inputs``."""
    name = str(rule["input"])
    if "table" in rule:
        choice = inputs.get(name)
        if choice in (None, ""):
            choice = rule["default"]
        if choice not in rule["table"]:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not one of the choices (%(choices)s).")
                % {
                    "name": name,
                    "value": choice,
                    "choices": ", ".join(key for key, _amount in table_choices(rule)),
                },
                code="invalid_fee_input",
                params={"field": name},
            )
        amount = int(rule["table"][choice])
    else:
        amount = _tiered(rule, _quantity(inputs, name, int(rule.get("default", 1))))
        if "max" in rule:
            amount = min(amount, int(rule["max"]))
    if rule.get("times"):
        amount *= _quantity(inputs, str(rule["times"]), 1)
    return amount


def compute(fees: Sequence[Mapping[str, Any]], inputs: Mapping[str, Any] | None = None) -> int:
    """Total of a (valid) fee list in đồng for ``inputs`` (defaults when absent)."""
    given = inputs or {}
    total = 0
    for item in fees:
        if "amount" in item:
            total += int(item["amount"])
        else:
            total += rule_amount(item["rule"], given)
    return total


# --- words for people ------------------------------------------------------------


def format_dong(amount: int) -> str:
    """``200000`` → ``"200.000 đ"`` (grouping of the active language)."""
    # Django's Vietnamese formats set no grouping; amounts in đồng always need it.
    separator = str(get_format("THOUSAND_SEPARATOR")) or "."
    return f"{amount:,}".replace(",", separator) + " đ"


def describe(item: Mapping[str, Any]) -> str:
    """One fee in words, e.g. "2.000 đ/trang up to page 2, then 1.000 đ/trang; at most…"."""
    if "amount" in item:
        amount = int(item["amount"])
        return format_dong(amount) if amount else _("Free of charge")
    rule = item["rule"]
    if "table" in rule:
        labels = rule.get("labels", {})
        parts = [
            f"{labels.get(key, key)}: {format_dong(amount)}" for key, amount in table_choices(rule)
        ]
        text = "; ".join(parts)
    else:
        unit = str(rule.get("unit") or _("unit"))
        if "per_unit" in rule:
            text = f"{format_dong(int(rule['per_unit']))}/{unit}"
        else:
            parts = []
            lower = 0
            for tier in rule["tiers"]:
                rate = f"{format_dong(int(tier['per_unit']))}/{unit}"
                upper = tier.get("up_to")
                if upper is None:
                    parts.append(
                        _("%(rate)s from %(unit)s %(n)s on")
                        % {"rate": rate, "unit": unit, "n": lower + 1}
                        if lower
                        else rate
                    )
                    continue
                if lower:
                    parts.append(
                        _("%(rate)s from %(unit)s %(first)s to %(last)s")
                        % {"rate": rate, "unit": unit, "first": lower + 1, "last": upper}
                    )
                else:
                    parts.append(
                        _("%(rate)s for the first %(n)s %(unit)s")
                        % {"rate": rate, "unit": unit, "n": upper}
                    )
                lower = upper
            text = "; ".join(parts)
        if "max" in rule:
            text += "; " + _("at most %(amount)s") % {"amount": format_dong(int(rule["max"]))}
    if rule.get("times"):
        text += " " + _("(per %(input)s)") % {"input": rule["times"]}
    return text
