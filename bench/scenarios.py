"""What a scenario is (a name and the request lines wrk replays) and how its lines are laid out.

Plain data: bench.prepare builds the scenarios from the seeded database, bench.load replays them.
"""

import secrets
from dataclasses import dataclass

CSRF_TOKEN = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    lines: list[str]  # "METHOD\tpath\tcookie\tbody", replayed round-robin
    expected: int = 200


def get(name: str, paths: list[str], cookies: list[str] | None = None) -> Scenario:
    return Scenario(name, "GET", rotate([(path, "") for path in paths], cookies or [""], "GET"))


def post(name: str, pairs: list[tuple[str, str]], cookies: list[str]) -> Scenario:
    return Scenario(name, "POST", rotate(pairs, cookies, "POST"))


def rotate(requests: list[tuple[str, str]], cookies: list[str], method: str) -> list[str]:
    """Plan lines pairing every request with every cookie; neighbouring lines differ in cookie."""
    lines = []
    for shift in range(len(requests)):
        for index, cookie_header in enumerate(cookies):
            path, body = requests[(shift + index) % len(requests)]
            lines.append(f"{method}\t{path}\t{cookie_header}\t{body}")
    return lines
