"""Every JSON output (report, SARIF, diff, drill, import) is written by `safe_text.json_document`: exactly the text
the standard library's indented encoder gives, with the terminal hazards escaped, whatever the document holds."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.safe_text import json_document, json_visible

_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1e-05, 1e16, 1e-300, -0.0, 5e-324])
            | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\x1b\x7f\x85\u2028\u202e\"\\/{}[],: "),
                      max_size=20))
_DOCUMENTS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=40)


def _standard(document: object, default: Callable[[Any], Any] | None = None) -> str:
    return json_visible(json.dumps(document, indent=2, ensure_ascii=False, default=default))


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS)
def test_the_text_is_the_standard_indented_encoding(document: object) -> None:
    assert json_document(document) == _standard(document)


def test_values_json_cannot_hold_fall_back_to_the_standard_library() -> None:
    document = {"nan": math.nan, "inf": [math.inf], "when": datetime(2026, 11, 25, 12, tzinfo=UTC), "empty": [{}, []]}
    assert json_document(document, default=str) == _standard(document, default=str)
    assert '"nan": NaN' in json_document(document, default=str)


def test_terminal_hazards_are_escaped_and_read_back_as_written() -> None:
    document = {"name": "HV01\u202eevil\x1b[2J\x85"}
    text = json_document(document)
    assert "\u202e" not in text and "\x1b" not in text and "\x85" not in text
    assert json.loads(text) == document
