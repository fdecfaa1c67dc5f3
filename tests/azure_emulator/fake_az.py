"""A stand-in `az` on PATH for tests: `az account get-access-token` prints a token the emulator
accepts, so azure-identity's DefaultAzureCredential signs in through its real Azure CLI path."""

from __future__ import annotations

import sys
from pathlib import Path

TOKEN = "emulator-token"

SCRIPT = """#!{python}
import json, sys, time
if "get-access-token" in sys.argv:
    print(json.dumps({{"accessToken": "{token}", "expires_on": int(time.time()) + 3600,
                      "expiresOn": "2099-01-01 00:00:00.000000", "tokenType": "Bearer",
                      "subscription": "00000000-0000-0000-0000-000000000000",
                      "tenant": "11111111-1111-1111-1111-111111111111"}}))
    sys.exit(0)
print("ERROR: fake az knows only `account get-access-token`", file=sys.stderr)
sys.exit(2)
"""


def install_fake_az(folder: Path) -> Path:
    """Write `az` into *folder* (put it first on PATH) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "az"
    path.write_text(SCRIPT.format(python=sys.executable, token=TOKEN), encoding="utf-8")
    path.chmod(0o755)
    return folder
