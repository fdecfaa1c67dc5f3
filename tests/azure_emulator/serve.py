"""Run the emulator in its own process (benchmarks): `python -m tests.azure_emulator.serve FOLDER
--latency 0.05`. It prints one JSON line {"url", "cert", "bin"} and serves until stdin closes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.azure_emulator.estates import large_estate
from tests.azure_emulator.fake_az import install_fake_az
from tests.azure_emulator.server import Emulator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    estate = large_estate(resources=args.resources, workspaces=args.workspaces)
    emulator = Emulator(estate, args.folder, latency=args.latency, page_size=args.page_size).start()
    bin_folder = install_fake_az(args.folder / "bin")
    print(json.dumps({"url": emulator.url, "cert": str(emulator.cert), "bin": str(bin_folder)}), flush=True)
    sys.stdin.read()  # until the parent closes it
    print(json.dumps({"requests": len(emulator.requests), "violations": emulator.violations}), flush=True)
    emulator.stop()


if __name__ == "__main__":
    main()
