"""Tests for cskit.mapping: shipped mappings, the YAML format, its errors."""

from __future__ import annotations

import pytest

from cskit.exceptions import ConfigurationError
from cskit.mapping import Constant, Offset, load_mapping, shipped_mappings
from cskit.schema import TABLES


def _write(tmp_path, text: str):
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_mappings_are_listed_and_load():
    assert shipped_mappings() == ["canonical", "ravenstack"]
    for name in shipped_mappings():
        assert load_mapping(name).name == name


def test_canonical_mapping_lists_every_table_by_its_own_name():
    mapping = load_mapping("canonical")

    assert list(mapping.tables) == list(TABLES)
    assert mapping.tables["tickets"].patterns == ["tickets.*"]
    assert all(not table.columns for table in mapping.tables.values())


def test_ravenstack_mapping_rules():
    mapping = load_mapping("ravenstack")
    tickets = mapping.tables["tickets"]

    assert tickets.columns["created_at"] == "submitted_at"
    assert tickets.columns["first_response_at"] == Offset(
        start="submitted_at", add="first_response_time_minutes", unit="minutes"
    )
    assert tickets.values["priority"] == {"medium": "normal"}
    assert mapping.tables["accounts"].columns["currency"] == Constant(value="USD")
    # 'on' is a key here, not the YAML 1.1 boolean.
    assert mapping.tables["events"].join[0].on == "subscription_id"
    assert mapping.tables["revenue"].derive.from_intervals.amount == "mrr_amount"


def test_yaml_booleans_and_numbers_in_values_become_text(tmp_path):
    path = _write(
        tmp_path,
        "tables:\n  account_events:\n    file: churn.csv\n"
        "    values:\n      kind: {true: reactivated, FALSE: churned, 2: renewed}\n",
    )

    values = load_mapping(path).tables["account_events"].values["kind"]

    assert values == {"True": "reactivated", "False": "churned", "2": "renewed"}


def test_name_defaults_to_the_file_stem(tmp_path):
    path = _write(tmp_path, "tables:\n  accounts:\n    file: a.csv\n")

    assert load_mapping(path).name == "mine"
    assert load_mapping(str(path)).path == path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("tabels: {}\n", r"unknown key 'tabels'.*did you mean 'tables'"),
        ("tables:\n  acounts: {file: a.csv}\n", r"'acounts'.*did you mean 'accounts'"),
        (
            "tables:\n  accounts:\n    fiel: a.csv\n",
            r"'fiel' in tables.accounts \(did you mean 'file'",
        ),
        (
            "tables:\n  accounts:\n    file: a.csv\n    columns: {nmae: x}\n",
            r"'nmae' in tables.accounts.columns \(did you mean 'name'",
        ),
        (
            "tables:\n  revenue:\n    derive:\n      from_intervals:\n"
            "        {file: s.csv, account_id: a, start: s, amount: m, amont: x}\n",
            r"'amont' in tables.revenue.derive.from_intervals",
        ),
        (
            "tables:\n  tickets:\n    file: t.csv\n    columns:\n"
            "      first_response_at: {start: a, add: b, unti: minutes}\n",
            r"'unti'.*did you mean 'unit'",
        ),
    ],
)
def test_unknown_keys_are_refused_with_a_suggestion(tmp_path, text, match):
    path = _write(tmp_path, text)

    with pytest.raises(ConfigurationError, match=match) as error:
        load_mapping(path)

    assert str(path) in str(error.value)


def test_wrong_value_type_names_the_key(tmp_path):
    path = _write(
        tmp_path,
        "tables:\n  tickets:\n    file: t.csv\n    columns:\n"
        "      first_response_at: {start: a, add: b, unit: weeks}\n",
    )

    with pytest.raises(ConfigurationError, match=r"tables.tickets.columns"):
        load_mapping(path)


def test_table_needs_file_or_derive(tmp_path):
    path = _write(tmp_path, "tables:\n  accounts:\n    formats: {}\n")

    with pytest.raises(ConfigurationError, match="exactly one of 'file'"):
        load_mapping(path)


def test_missing_mapping_file(tmp_path):
    with pytest.raises(ConfigurationError, match=r"does not exist.*'canonical'"):
        load_mapping(tmp_path / "nope.yaml")


def test_unknown_shipped_name_suggests_the_closest():
    with pytest.raises(ConfigurationError, match="did you mean 'ravenstack'"):
        load_mapping("ravenstak")


def test_invalid_yaml(tmp_path):
    path = _write(tmp_path, "tables: [unclosed\n")

    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_mapping(path)
