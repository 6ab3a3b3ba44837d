"""Every ORGANWATCH_* setting is declared once, parsed strictly and documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from organwatch import settings

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_documented_in_readme(setting: settings.Setting) -> None:
    assert f"`{setting.name}`" in README.read_text(encoding="utf-8")


def test_sizes_parse() -> None:
    assert settings.parse_size("2GiB") == 2 * 1024**3
    assert settings.parse_size("500 MB") == 500_000_000
    assert settings.parse_size("123") == 123
    with pytest.raises(ValueError):
        settings.parse_size("2 parsecs")


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANWATCH_BATCH_SIZE", "7")
    assert settings.get("ORGANWATCH_BATCH_SIZE") == 7
    monkeypatch.setenv("ORGANWATCH_SYNC", "sometimes")
    with pytest.raises(settings.SettingError, match="must be one of batch, off"):
        settings.get("ORGANWATCH_SYNC")
    monkeypatch.delenv("ORGANWATCH_CAPTURED_BY")
    assert settings.get("ORGANWATCH_CAPTURED_BY")  # falls back to the user name
