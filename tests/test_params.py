from pathlib import Path

import pytest
import yaml

from cskit.exceptions import ConfigurationError
from cskit.params import Settings, config_hash, find_params_dir, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_file_states_the_built_in_defaults():
    assert load_settings(ROOT / "params" / "defaults.yaml") == Settings()


def test_params_dir_is_found_from_a_subfolder():
    assert find_params_dir(ROOT / "tests" / "notebooks") == ROOT / "params"


def test_unknown_parameter_is_refused_with_the_closest_name(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("metrics:\n  activaton_window_days: 20\n")
    with pytest.raises(
        ConfigurationError, match="did you mean 'activation_window_days'"
    ):
        load_settings(path)


def test_unknown_section_lists_the_valid_ones(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("metric:\n  mad_window_days: 20\n")
    with pytest.raises(ConfigurationError, match="did you mean 'metrics'"):
        load_settings(path)


def test_wrong_type_names_key_and_value(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("metrics:\n  mad_window_days: often\n")
    with pytest.raises(ConfigurationError, match=r"metrics.mad_window_days.*'often'"):
        load_settings(path)


@pytest.mark.parametrize(
    ("text", "match"),
    [("- 1\n- 2\n", "holds a list"), ("metrics: [\n", "not valid YAML")],
)
def test_malformed_files_are_refused(tmp_path, text, match):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=match):
        load_settings(path)


def test_empty_file_gives_the_defaults(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("")
    assert load_settings(path) == Settings()


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(tmp_path / "absent.yaml")


def test_account_override_merges_one_value(tmp_path):
    (tmp_path / "accounts").mkdir()
    (tmp_path / "defaults.yaml").write_text("metrics:\n  mad_window_days: 28\n")
    override = {"metrics": {"inactivity_days": 21}}
    (tmp_path / "accounts" / "0042.yaml").write_text(yaml.safe_dump(override))
    settings = load_settings(tmp_path / "defaults.yaml", account_id="0042")
    assert settings.metrics.mad_window_days == 28
    assert settings.metrics.inactivity_days == 21
    assert (
        load_settings(
            tmp_path / "defaults.yaml", account_id="7"
        ).metrics.inactivity_days
        == 14
    )


def test_config_hash_is_stable_and_tracks_changes():
    base = config_hash(Settings())
    assert base == config_hash(Settings.model_validate({}))
    assert len(base) == 12
    changed = Settings.model_validate({"targets": {"nps": 31}})
    assert config_hash(changed) != base
