"""Lease lookups by IP with the Python OMAPI client (pypureomapi), one at a time, for bench/run.sh --python DIR.

DIR holds pypureomapi.py (not part of this repository; never commit it). The key's secret comes in
$PSOMAPI_BENCH_SECRET. Prints one "RESULT {json}" line per run, as bench/pwsh/Measure-Lookups.ps1 does.
"""
import json
import os
import sys
import time

directory, server, port, key_name, address_file, loop, repeat = sys.argv[1:8]
sys.path.insert(0, directory)
import pypureomapi  # noqa: E402

secret = os.environ["PSOMAPI_BENCH_SECRET"]
addresses = [line.strip() for line in open(address_file) if line.strip()][: int(loop)]
omapi = pypureomapi.Omapi(server, int(port), key_name.encode(), secret.encode())
name = "lookup_mac(ip), one at a time"
for _ in range(int(repeat)):
    problem = None
    start = time.perf_counter()
    for ip in addresses:
        try:
            omapi.lookup_mac(ip)  # OPEN lease by ip-address, the lookup of this benchmark
        except Exception as error:  # noqa: BLE001 - any failure is this run's problem
            problem = "%s: %s" % (ip, error)
            break
    seconds = time.perf_counter() - start
    print("RESULT " + json.dumps({"Name": name, "Count": len(addresses), "Seconds": seconds,
                                  "Rate": len(addresses) / seconds, "Problem": problem}))
