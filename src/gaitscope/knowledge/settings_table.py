"""Shared loader of the stage settings tables (``signal_settings.csv``, ``analysis_settings.csv``).

Each table has one row per setting with columns ``name, value, unit, source``; comment lines
start with ``#``. Validated on load: required names present, no duplicates, finite values, a
unit and a source on every row.
"""

from __future__ import annotations

import io
from importlib import resources

import numpy as np
import pandas as pd

COLUMNS = ["name", "value", "unit", "source"]


def load_settings_table(file_name: str, required: tuple[str, ...]) -> pd.DataFrame:
    """The validated table ``file_name`` of the package's knowledge folder, indexed by ``name``."""
    text = resources.files("gaitscope.knowledge").joinpath(file_name).read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    if list(df.columns) != COLUMNS:
        raise ValueError(f"{file_name}: columns must be {','.join(COLUMNS)}")
    missing = sorted(set(required) - set(df["name"]))
    if missing:
        raise ValueError(f"{file_name}: missing settings {missing}")
    if df["name"].duplicated().any():
        raise ValueError(f"{file_name}: duplicate names")
    if not np.all(np.isfinite(df["value"].to_numpy(float))):
        raise ValueError(f"{file_name}: every value must be a finite number")
    for col in ("unit", "source"):
        if df[col].isna().any() or (df[col].astype(str).str.strip() == "").any():
            raise ValueError(f"{file_name}: every row needs a {col}")
    return df.set_index("name")


def setting_value(table: pd.DataFrame, name: str, file_name: str) -> float:
    """One setting's value from a loaded table (its unit is in the file and in the name)."""
    if name not in table.index:
        raise KeyError(f"{name!r} is not in {file_name}")
    return float(table.at[name, "value"])
