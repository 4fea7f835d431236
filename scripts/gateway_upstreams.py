"""Which upstream answered each request to one path, from the gateway's access log (ECS JSON
lines on stdin, as `podman logs` prints them; other lines are skipped).

    podman logs GATEWAY | python scripts/gateway_upstreams.py /api/users/me
        prints "count upstream -> upstream status (client got status)" per combination
    ... | python scripts/gateway_upstreams.py /api/users/me --distinct
        prints how many distinct upstream addresses answered
    ... | python scripts/gateway_upstreams.py /api/users/me --served-by 10.89.0.10:8101
        prints how many requests that upstream answered 200

Used by scripts/test-containers.sh and scripts/replica-kill.sh.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator


def requests_to(lines: Iterable[str], path: str) -> Iterator[dict[str, object]]:
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("log.logger") != "nginx.access":
            continue
        if str(entry.get("url.original", "")).split("?", 1)[0] == path:
            yield entry


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--distinct", action="store_true")
    parser.add_argument("--served-by", metavar="ADDRESS")
    args = parser.parse_args()
    entries = list(requests_to(sys.stdin, args.path))
    if args.distinct:
        print(len({entry.get("sift.upstream") for entry in entries if entry.get("sift.upstream")}))
    elif args.served_by:
        print(
            sum(
                1
                for entry in entries
                if entry.get("sift.upstream") == args.served_by
                and entry.get("sift.upstream_status") == "200"
            )
        )
    else:
        combinations = Counter(
            (
                entry.get("sift.upstream") or "-",
                entry.get("sift.upstream_status") or "-",
                entry.get("http.response.status_code"),
            )
            for entry in entries
        )
        for (upstream, upstream_status, status), count in sorted(combinations.items()):
            print(f"{count:7d} {upstream} -> {upstream_status} (client got {status})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
