"""A token's view of history values: cut to its record types, whatever the value holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homing.core.api_tokens import TokenScope

TXT_ONLY = TokenScope(types=("TXT",))


def test_values_are_cut_to_the_token_types() -> None:
    value = 'A=192.0.2.1,192.0.2.2 AAAA=2001:db8::1 TXT="a b",c offline'
    assert TXT_ONLY.visible_values(value) == 'TXT="a b",c offline'
    assert TokenScope(types=("A",)).visible_values(value) == "A=192.0.2.1,192.0.2.2 offline"
    assert TXT_ONLY.visible_values("A=192.0.2.1") == "-"
    assert TokenScope().visible_values(value) == value
    assert TXT_ONLY.visible_values(None) is None


def _rdata(rtype: str, text: str) -> str:
    """Values as the history writes them: TXT quoted with dnspython's escapes, others bare."""
    if rtype == "TXT":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "".join(ch for ch in text if ch not in ' "\\') or "x"


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "AAAA", "TXT", "MX"]), st.text(min_size=1, max_size=12)),
        max_size=5,
    )
)
def test_no_address_leaks_to_a_txt_token(parts: list[tuple[str, str]]) -> None:
    written = [f"{t}={_rdata(t, v)}" for t, v in parts]
    expected = " ".join(w for w in written if w.startswith("TXT=")) or "-"
    assert TXT_ONLY.visible_values(" ".join(written)) == expected


def test_quoted_and_spaced_values_stay_whole() -> None:
    value = 'TXT="x A=192.0.2.9" MX=10 mx.example. A=192.0.2.1'
    assert TokenScope(types=("A",)).visible_values(value) == "A=192.0.2.1"
    assert TXT_ONLY.visible_values(value) == 'TXT="x A=192.0.2.9"'
    assert TokenScope(types=("MX",)).visible_values(value) == "MX=10 mx.example."
    assert TXT_ONLY.visible_values("A=192.0.2.1 offline") == "offline"
