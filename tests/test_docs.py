"""The documentation that is generated from the code is current."""

from tests.limitations import PAGE, render


def test_limitations_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == render(), "run `make docs`"
