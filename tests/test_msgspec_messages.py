"""msgspec gives a validation error only as text: pin the format `split_validation_error` reads.

msgspec has no structured path on `ValidationError`, so the one parser of its text lives in
`preflight.errors`; if a msgspec upgrade changes the wording, these tests fail before users see a
garbled message.
"""

from __future__ import annotations

import msgspec
import pytest

from preflight.errors import split_validation_error


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    size: int


class Outer(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    items: list[Inner] = []


def error_of(document: bytes) -> msgspec.ValidationError:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(document, type=Outer)
    return caught.value


@pytest.mark.parametrize(("document", "message", "parsed"), [
    (b'{"name": "a", "colour": 1}', "Object contains unknown field `colour`",
     ("$.colour", "unknown", "Object contains unknown field colour")),
    (b'{"items": []}', "Object missing required field `name`",
     ("$.name", "missing", "Object missing required field name")),
    (b'{"name": "a", "items": [{"size": 1}, {}]}', "Object missing required field `size` - at `$.items[1]`",
     ("$.items[1].size", "missing", "Object missing required field size")),
    (b'{"name": "a", "items": [{"size": "big"}]}', "Expected `int`, got `str` - at `$.items[0].size`",
     ("$.items[0].size", None, "expected int, got str")),
    (b'{"name": 5}', "Expected `str`, got `int` - at `$.name`", ("$.name", None, "expected str, got int")),
])
def test_msgspec_message_format_is_what_the_parser_reads(document: bytes, message: str, parsed: tuple) -> None:
    error = error_of(document)
    assert str(error) == message
    assert split_validation_error(error) == parsed
