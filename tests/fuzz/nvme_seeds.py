#!/usr/bin/env python3
"""Writes fuzz_nvme seeds: the 512-byte SMART / Health Information log
page (NVMe Base Specification, Log Identifier 02h) of each drive whose
`smartctl --json` output is given, rebuilt at the specification's offsets
from the values smartctl decoded out of that drive's page.  Bytes smartctl
does not report (reserved, thermal management fields) stay zero.

    nvme_seeds.py OUTDIR FILE.json...
"""
import json
import os
import sys

# (json key, offset, width in bytes); the temperature is converted back to
# Kelvin, as the drive reports it.
FIELDS = [
    ("critical_warning", 0, 1),
    ("available_spare", 3, 1),
    ("available_spare_threshold", 4, 1),
    ("percentage_used", 5, 1),
    ("data_units_read", 32, 16),
    ("data_units_written", 48, 16),
    ("host_reads", 64, 16),
    ("host_writes", 80, 16),
    ("controller_busy_time", 96, 16),
    ("power_cycles", 112, 16),
    ("power_on_hours", 128, 16),
    ("unsafe_shutdowns", 144, 16),
    ("media_errors", 160, 16),
    ("num_err_log_entries", 176, 16),
    ("warning_temp_time", 192, 4),
    ("critical_comp_time", 196, 4),
]


def page(log):
    b = bytearray(512)
    for key, off, width in FIELDS:
        if key in log:
            b[off:off + width] = int(log[key]).to_bytes(width, "little")
    if "temperature" in log:
        b[1:3] = (int(log["temperature"]) + 273).to_bytes(2, "little")
    for i, t in enumerate(log.get("temperature_sensors", [])[:8]):
        b[200 + 2 * i:202 + 2 * i] = (int(t) + 273).to_bytes(2, "little")
    return bytes(b)


def main():
    out = sys.argv[1]
    for path in sys.argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        log = doc.get("nvme_smart_health_information_log")
        if not log:
            continue
        name = os.path.splitext(os.path.basename(path))[0] + ".log"
        with open(os.path.join(out, name), "wb") as f:
            f.write(page(log))
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
