"""What a scenario is (a name and the request lines wrk replays) and how its lines are laid out,
and what an exam start is (students who open one lesson and answer one question together).

Plain data: bench.prepare builds both from the seeded database, bench.load replays the scenarios
with wrk and bench.exam starts the exam.
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


@dataclass(frozen=True)
class ExamStart:
    """Students, each with a session of their own, who open the same lesson and answer the same
    question of it (student i sends bodies[i % len(bodies)]); both requests answer 200."""

    lesson: str
    answer: str
    bodies: tuple[str, ...]
    cookies: tuple[str, ...]  # one Cookie header a student, with the run's CSRF secret


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
