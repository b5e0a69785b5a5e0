"""Contracts: every setting and every detector field is documented with a unit and a source (issue 10)."""

from __future__ import annotations

import dataclasses
import io
import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from gaitscope.events.foot_velocity import FootVelocityEventDetector
from gaitscope.metrics.frontal import FootStillnessEventDetector

SRC = Path(__file__).resolve().parents[1] / "src" / "gaitscope"
DETECTORS = (FootVelocityEventDetector, FootStillnessEventDetector)
SETTINGS_FILES = ("signal_settings.csv", "analysis_settings.csv")


def _csv(name: str) -> pd.DataFrame:
    text = resources.files("gaitscope.knowledge").joinpath(name).read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), comment="#", keep_default_na=False)


@pytest.mark.parametrize("name", SETTINGS_FILES)
def test_every_setting_has_a_unit_and_a_source(name):
    df = _csv(name)
    assert list(df.columns) == ["name", "value", "unit", "source"]
    for row in df.itertuples():
        assert str(row.unit).strip(), f"{name}: {row.name} has no unit"
        assert len(str(row.source).strip()) > 15, f"{name}: {row.name} has no source"


def test_every_setting_read_in_the_code_is_in_its_table():
    used = {"signal_setting": set(), "analysis_setting": set()}
    for py in SRC.rglob("*.py"):
        text = py.read_text(encoding="utf-8")
        for fn in used:
            used[fn] |= set(re.findall(fn + r'\("([a-z0-9_]+)"\)', text))
    names = {"signal_setting": set(_csv("signal_settings.csv")["name"]),
             "analysis_setting": set(_csv("analysis_settings.csv")["name"])}
    for fn, got in used.items():
        assert got, fn
        assert got <= names[fn], f"{fn}: not in the table: {sorted(got - names[fn])}"


def test_every_detector_field_is_documented_with_a_unit_and_a_source():
    table = _csv("detector_fields.csv")
    signal = _csv("signal_settings.csv").set_index("name")
    for cls in DETECTORS:
        rows = table[table["detector"] == cls.__name__].set_index("field")
        default = cls()
        fields = [f.name for f in dataclasses.fields(cls)]
        assert sorted(rows.index) == sorted(fields), f"{cls.__name__}: undocumented {sorted(set(fields) - set(rows.index))}"
        for f in fields:
            row = rows.loc[f]
            assert str(row["unit"]).strip(), (cls.__name__, f)
            if str(row["setting"]).strip():
                settings = str(row["setting"]).split(";")
                for s in settings:
                    assert s in signal.index, (cls.__name__, f, s)
                want = tuple(float(signal.at[s, "value"]) for s in settings)
                got = getattr(default, f)
                got = tuple(got) if isinstance(got, tuple) else (got,)
                assert got == pytest.approx(want), (cls.__name__, f, got, want)
            else:
                assert len(str(row["source"]).strip()) > 30, (cls.__name__, f)


def test_every_knowledge_table_row_has_a_source():
    for name in ("plausibility.csv", "grading.csv", "measurement_error.csv"):
        df = _csv(name)
        assert (df["source"].astype(str).str.strip().str.len() > 10).all(), name
        assert "unit" not in df.columns or (df["unit"].astype(str).str.strip() != "").all(), name


def test_the_minimum_strides_per_value_is_one_number_everywhere():
    """min_strides_variability is stated once (analysis_settings.csv) and the rules, README and report use it."""
    import tomllib

    from gaitscope.knowledge.analysis_settings import analysis_setting
    from gaitscope.patterns import engine

    n = int(analysis_setting("min_strides_variability"))
    text = resources.files("gaitscope.knowledge").joinpath("patterns.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["meta"]["default_min_cycles"] == n
    assert engine._DEFAULT_MIN_CYCLES == n
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"need at least {n} strides of\neach foot: `min_strides_variability`" in readme
    lims = tomllib.loads(resources.files("gaitscope.knowledge").joinpath("report.toml").read_text(encoding="utf-8"))
    assert any("{min_strides}" in t for t in lims["texts"]["limitations"])


def test_every_summary_parameter_has_its_unit_in_the_metrics_table():
    """Units come from knowledge/metrics.csv, not from name suffixes (``speed_rel_per_s`` is body heights/s, not s;
    a stance share is % of the gait cycle from video and from a .mot alike)."""
    from gaitscope.knowledge.loader import load_knowledge
    from gaitscope.metrics.cycles import KINEMATIC_COLUMNS, SPACE_COLUMNS_M, SPACE_COLUMNS_REL, TIME_COLUMNS
    from gaitscope.metrics.frontal import FRONTAL_COLUMNS
    from gaitscope.metrics.summary import unit_of

    metrics = load_knowledge().metrics
    for col in (*TIME_COLUMNS, *SPACE_COLUMNS_M, *SPACE_COLUMNS_REL, *KINEMATIC_COLUMNS, *FRONTAL_COLUMNS):
        assert col in metrics, f"{col} is reported but not in knowledge/metrics.csv"
        assert unit_of(col) == metrics[col].unit
    assert unit_of("speed_rel_per_s") == "body heights/s"
    assert {unit_of(c) for c in TIME_COLUMNS if c.endswith("_pct")} == {"% of gait cycle"}
