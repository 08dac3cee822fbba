"""Writes (or, with --check, verifies) src/config/aws-zones.json: every AWS commercial region and
the Availability Zone names an account can see there.

Source: moto's EC2 region and zone model, the emulator the test command already pins
(scripts/tools.sh). moto takes the region list from botocore's endpoint data (published by AWS
with every SDK release) and keeps a community-maintained table of the regions whose zones differ
from the usual a/b/c (Seoul's a-d, Canada Central's a/b/d, ...). Regenerate after bumping moto:

    ~/.cache/mindhit-infra/tools/venv/bin/python scripts/aws_zones.py

Zone letters of the oldest regions are mapped per account; `aws ec2 describe-availability-zones`
in the target account stays the final word there.
"""
import json
import pathlib
import sys
from importlib.metadata import version

from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

TARGET = pathlib.Path(__file__).resolve().parent.parent / "src" / "config" / "aws-zones.json"


def generate() -> str:
    commercial = sorted(
        region.name
        for region in RegionsAndZonesBackend.regions
        if region.endpoint.endswith(".amazonaws.com") and not region.name.startswith("us-gov-")
    )
    zones = {
        region: sorted(zone.name[len(region):] for zone in RegionsAndZonesBackend.zones[region])
        for region in commercial
    }
    document = {
        "source": f"moto {version('moto')} EC2 zone model, regions from botocore {version('botocore')} (scripts/aws_zones.py)",
        "zones": zones,
    }
    return json.dumps(document, indent=2) + "\n"


def main() -> int:
    text = generate()
    if "--check" in sys.argv[1:]:
        if TARGET.read_text() != text:
            print(f"{TARGET} is out of date with the pinned moto/botocore: run scripts/aws_zones.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
