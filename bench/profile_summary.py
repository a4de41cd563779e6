"""Summarise py-spy ``--format raw`` profiles (collapsed stacks) written by ``BENCH_PROFILE``.

Usage: python bench/profile_summary.py bench/out/<run>/profile-<name>-<process>*.txt [--top 25]

Prints, over all the files given (rounds of one measurement add up), the share of samples
spent inside each function (inclusive) and at the top of the stack (self), and the share by
area: our code (gateway, shared, services), SQLAlchemy, asyncpg, pydantic, FastAPI/Starlette,
uvicorn, the event loop, the rest.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

AREAS = [
    ("ours", re.compile(r"(^|/)(gateway|shared|services|bench)/|\((complaints|credit|wages)/")),
    ("sqlalchemy", re.compile(r"sqlalchemy")),
    ("asyncpg", re.compile(r"asyncpg")),
    ("pydantic", re.compile(r"pydantic")),
    ("fastapi/starlette", re.compile(r"fastapi|starlette")),
    ("uvicorn/httptools", re.compile(r"uvicorn|httptools|h11")),
    ("json", re.compile(r"json|orjson")),
    ("aiohttp", re.compile(r"aiohttp|multidict|yarl")),
    ("jwt/crypto", re.compile(r"jwt|hmac|hashlib|cryptography")),
    ("asyncio/uvloop", re.compile(r"asyncio|uvloop")),
]


# Threads waiting for work (anyio's worker threads, executors) that py-spy still samples.
IDLE_LEAF = re.compile(r"^(Condition\.wait|Event\.wait|Queue\.get|_worker|select|poll) \(")


def frame_name(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"; the line number splits hot paths.
    match = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    function, path = match.groups()
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{function} ({short})"


def area(frame: str) -> str:
    for name, pattern in AREAS:
        if pattern.search(frame):
            return name
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    total = 0
    for path in args.files:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [frame_name(f) for f in stack.split(";")]
            # Skip the process/thread frame py-spy puts first.
            frames = [f for f in frames if not f.startswith(("process ", "thread "))]
            if not frames or IDLE_LEAF.match(frames[-1]):
                continue
            total += count
            for name in set(frames):
                inclusive[name] += count
            leaf[frames[-1]] += count
            # The area of the innermost frame that is not the interpreter's own plumbing.
            areas[next((area(f) for f in reversed(frames) if area(f) != "other"), "other")] += count
    if not total:
        raise SystemExit("no samples")
    print(f"{total} samples (idle worker threads left out)")
    print("\nby area (innermost recognised frame):")
    for name, count in areas.most_common():
        print(f"  {100 * count / total:5.1f} %  {name}")
    print(f"\ninclusive (top {args.top}):")
    for name, count in inclusive.most_common(args.top):
        print(f"  {100 * count / total:5.1f} %  {name}")
    print(f"\nself (top {args.top}):")
    for name, count in leaf.most_common(args.top):
        print(f"  {100 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
