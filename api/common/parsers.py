"""The API's JSON parser: any body that is not plain, storable JSON is a 400.

DRF's own parser turns syntax errors into a ParseError but lets hostile input through:
nesting deep enough to exhaust the recursion limit (a 500 RecursionError, in the parser
or later in whatever walks the data), numbers that overflow a float, and the two
escapes JSON allows but PostgreSQL cannot store — `\\u0000` and unpaired surrogates
such as `\\ud800` (a 500 when the value reaches a text or jsonb column).

This parser refuses, as a ParseError (400, code `parse_error`):

- nesting deeper than MAX_JSON_DEPTH arrays/objects, measured before decoding, so
  deep input never reaches the recursive decoder;
- bytes that are not valid text in the request's charset (UTF-8 unless it names
  another), and a UTF-8 byte order mark;
- raw control characters inside strings (JSON's strict mode), NaN and Infinity, and
  numbers too large for a float (`1e400`, which Python would read as infinity and
  int() then refuses with an OverflowError);
- strings or keys containing NUL or an unpaired surrogate.

Escaped control characters other than NUL (`\\n`, `\\t`, `\\u001b`...) are ordinary
text and stay accepted. Size is not this parser's business: bodies over
REQUEST_BODY_MAX_BYTES never reach it (api/common/body_limit.py).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deepest array/object nesting accepted. The API's deepest documents (a request with
# its breaks, a board move) need fewer than 8 levels.
MAX_JSON_DEPTH = 64

# A JSON string (unterminated ones run to the end, so the scan never backtracks) or a
# run of characters that are neither brackets nor quotes: what is left is brackets.
_NOT_A_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[^\[\]{}"]+', re.DOTALL)
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (brackets inside strings ignored).

    Linear time, no recursion, on any input, valid JSON or not."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0  # cannot be deeper than the number of brackets that open
    brackets = _NOT_A_BRACKET.sub("", text).encode("ascii")
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _has_unstorable_text(data) -> bool:
    """NUL or an unpaired surrogate in any string or key of the decoded document."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


class JSONParser(parsers.JSONParser):
    """Drop-in replacement for DRF's JSONParser (same media type and renderer)."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding") or settings.DEFAULT_CHARSET
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding} text.") from exc

        if nesting_depth(text) > self.max_depth:
            raise ParseError(
                f"JSON parse error - arrays and objects nest deeper than {self.max_depth} levels."
            )
        try:
            data = json.loads(
                text,
                parse_constant=_reject_constant if self.strict else None,
                parse_float=_finite_float,
                strict=True,
            )
        except RecursionError as exc:  # not reachable past the depth check; kept as a guard
            raise ParseError("JSON parse error - the document nests too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc

        # Both can only arrive as \u escapes: raw NUL is refused by strict mode above,
        # and surrogates cannot be encoded in valid UTF-8.
        if "\\u" in text and _has_unstorable_text(data):
            raise ParseError(
                "JSON parse error - strings may not contain NUL (\\u0000) "
                "or unpaired surrogates (\\ud800-\\udfff)."
            )
        return data
