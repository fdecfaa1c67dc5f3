"""Fixtures: the Azure emulator (HTTPS, a certificate made for the test and trusted through
REQUESTS_CA_BUNDLE), a fake `az` on PATH so that DefaultAzureCredential signs in through its real
Azure CLI path, and the emulator's endpoint as the custom Resource Manager endpoint. Every test
ends by asserting that the scan made no forbidden call (a write, listKeys, a missing api-version)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.azure_emulator.estate import Estate
from tests.azure_emulator.estates import ml_estate
from tests.azure_emulator.fake_az import install_fake_az
from tests.azure_emulator.server import Emulator


@pytest.fixture
def estate() -> Estate:
    return ml_estate()


@pytest.fixture
def emulator(estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    emu = Emulator(estate, tmp_path / "emulator").start()
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_USERNAME",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
        "CI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emu.cert))
    monkeypatch.setenv("AZURE_RESOURCE_MANAGER_ENDPOINT", emu.url)
    monkeypatch.setenv("PATH", str(install_fake_az(tmp_path / "bin")) + os.pathsep + os.environ["PATH"])
    yield emu
    emu.stop()
    assert emu.violations == [], f"forbidden calls: {emu.violations}"


@pytest.fixture
def no_credential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No `az` (nor azd, pwsh) on PATH and no credential in the environment."""
    remove_credentials(monkeypatch, tmp_path)


def remove_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folders = [
        f
        for f in os.environ["PATH"].split(os.pathsep)
        if not any((Path(f) / tool).exists() for tool in ("az", "azd", "pwsh"))
    ]
    monkeypatch.setenv("PATH", os.pathsep.join(folders))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
