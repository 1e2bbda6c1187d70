"""A student's browser, as the load drives it: reading lessons, answering with each question
form's one-time token, marking lessons complete, reviewing flashcards, logging in.

Every request is recorded (stress.records) and every write entered in its ledger
(stress.ledger), so that each acknowledged write can be looked up in the database afterwards.
Requests go to the loopback address the server was started on, nowhere else.
"""

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from bench.scenarios import CSRF_TOKEN
from stress.ledger import WriteLedger
from stress.plan import CoursePlan, LessonPlan, QuestionPlan, Student
from stress.records import OK, Record, Recorder

TOKEN_RE = re.compile(r'name="token" id="q-([a-z0-9-]+)-token" value="([A-Za-z0-9_-]+)"')
VERDICT_RE = re.compile(r'class="verdict (correct|incorrect)"')
CARD_RE = re.compile(r'name="card" value="(\d+)"')
SHOWN_RE = re.compile(r'name="shown" value="(\d+)"')
VERSION_RE = re.compile(r'name="version" value="([^"]*)"')
RATED_RE = re.compile(r'hx-swap-oob="innerHTML">([^<]*)</p>')
CSRF_FIELD_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

TIMEOUT = (5, 30)  # seconds to connect, to wait for the answer
PAUSE_AFTER_ERROR = 0.5  # a person waits a moment before trying again, and so do we
RATING_WEIGHTS = (1, 1, 6, 2)  # Again, Hard, Good, Easy: mostly Good, as people rate
WRONG_FIRST = 0.3  # share of questions answered wrong first, then right with the fresh token
MAX_ROUNDS = 10_000  # a bound on any student's loop, whatever its deadline


@dataclass
class Writes:
    """The ledgers of the three kinds of write the students make."""

    answers: WriteLedger = field(default_factory=lambda: WriteLedger("answer", exhaustive=True))
    completions: WriteLedger = field(
        default_factory=lambda: WriteLedger("completion", exhaustive=False)
    )
    ratings: WriteLedger = field(default_factory=lambda: WriteLedger("rating", exhaustive=True))
    answered_types: Counter = field(default_factory=Counter)  # acknowledged answers by type
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def all(self) -> list[WriteLedger]:
        return [self.answers, self.completions, self.ratings]

    def answered(self, question_type: str) -> None:
        with self._lock:
            self.answered_types[question_type] += 1


class Browser:
    """One student's connection to the site: a cookie jar, a kept-alive connection, and the
    CSRF header htmx sends."""

    def __init__(self, base_url: str, recorder: Recorder, student: Student, timeout=TIMEOUT):
        if urlsplit(base_url).hostname != "127.0.0.1":
            raise ValueError(f"the load only goes to 127.0.0.1, not {base_url}")
        self.base_url = base_url
        self.recorder = recorder
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment: loopback only
        for name, value in student.cookies:
            self.session.cookies.set(name, value, domain="127.0.0.1")

    def send(
        self, kind: str, method: str, path: str, *, data=None, htmx=False, expect=200, check=None
    ) -> str | None:
        """One request, recorded; its body when it answered `expect` and `check(body)` (a
        function returning what is wrong, or None) found nothing wrong, else None."""
        headers = {"X-CSRFToken": self.csrf_token}
        if htmx:
            headers["HX-Request"] = "true"
        start = self.recorder.now()
        retry_after = None
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            outcome = "timeout"
        except requests.ConnectionError as error:
            outcome = connection_failure(error)
        except requests.exceptions.ChunkedEncodingError:
            outcome = "cut off mid-answer"  # the process died while it was sending the body
        else:
            retry_after = response.headers.get("Retry-After")
            outcome = OK if response.status_code == expect else f"HTTP {response.status_code}"
            if outcome == OK and check is not None:
                outcome = check(response.text) or OK
        self.recorder.add(Record(kind, start, self.recorder.now(), outcome, retry_after))
        return response.text if outcome == OK else None

    @property
    def csrf_token(self) -> str:
        """The CSRF cookie's value, as htmx sends it: the latest the site set (it changes at
        login), else the run's own secret that signed-in sessions start with."""
        values = [cookie.value for cookie in self.session.cookies if cookie.name == "csrftoken"]
        return values[-1] if values else CSRF_TOKEN

    def close(self) -> None:
        self.session.close()


def connection_failure(error: requests.ConnectionError) -> str:
    """A short name for what broke the connection."""
    text = str(error)
    for needle, name in (
        ("Connection refused", "connection refused"),
        ("Connection reset", "connection reset"),
        ("RemoteDisconnected", "closed without an answer"),
        ("Connection aborted", "connection aborted"),
    ):
        if needle in text:
            return name
    return "connection error"


class StudentSession:
    """A student using the site through one browser, every write entered in `writes`."""

    def __init__(self, student: Student, browser: Browser, writes: Writes, rng: random.Random):
        self.student = student
        self.browser = browser
        self.writes = writes
        self.rng = rng

    def log_in(self, password: str) -> bool:
        """The login form, as a person fills it: its page for the CSRF token, then the post."""
        page = self.browser.send("login page", "GET", "/accounts/login/")
        match = CSRF_FIELD_RE.search(page or "")
        if match is None:
            return False
        fields = {"username": self.student.username, "password": password}
        fields["csrfmiddlewaretoken"] = match[1]
        return (
            self.browser.send("login", "POST", "/accounts/login/", data=fields, expect=302)
            is not None
        )

    def read(self, lesson: LessonPlan) -> dict[str, str]:
        """Open the lesson; the one-time token of each question form on it, by question key."""
        page = self.browser.send("lesson", "GET", lesson.url, check=_has_forms(lesson))
        return dict(TOKEN_RE.findall(page or ""))

    def answer(self, question: QuestionPlan, token: str, *, right: bool) -> str | None:
        """Answer through the question's form; once more with the same token if the answer
        did not come back (what the token is for). The form's fresh token, or None."""
        fields = question.right if right or question.wrong is None else question.wrong
        for _ in range(2):
            body = self.answer_once(question, token, fields)
            if body is not None:
                fresh = TOKEN_RE.search(body)
                return fresh[2] if fresh else None
            time.sleep(PAUSE_AFTER_ERROR)
        return None

    def answer_once(
        self, question: QuestionPlan, token: str, fields=None, kind: str = "answer"
    ) -> str | None:
        """One post of the question's form (the right answer unless `fields` says otherwise);
        the result fragment if it showed the verdict the answer deserves."""
        fields = fields or question.right
        expected = "correct" if fields is question.right else "incorrect"
        key = (self.student.user_id, token)
        self.writes.answers.send(key, token)
        body = self.browser.send(
            kind,
            "POST",
            question.url,
            data=[*fields, ("token", token)],
            htmx=True,
            check=_verdict_is(expected),
        )
        if body is not None:
            self.writes.answers.acknowledge(key, token)
            self.writes.answered(question.type)
        return body

    def complete(self, lesson: LessonPlan) -> None:
        """Mark the lesson complete (idempotent, so retried once like an answer)."""
        key = (self.student.user_id, lesson.lesson_id)
        self.writes.completions.send(key)
        for _ in range(2):
            body = self.browser.send(
                "complete", "POST", lesson.complete_url, htmx=True, check=_completed
            )
            if body is not None:
                self.writes.completions.acknowledge(key)
                return
            time.sleep(PAUSE_AFTER_ERROR)

    def review(self, deck_url: str) -> None:
        """Show the deck's next card, its answer, and rate it; nothing when none is due."""
        front = self.browser.send("review card", "GET", deck_url, htmx=True)
        card = CARD_RE.search(front or "")
        if card is None:
            return
        query = f"?card={card[1]}&answer=1&shown={int(time.time() * 1000)}"
        back = self.browser.send("show answer", "GET", deck_url + query, htmx=True)
        version, shown = VERSION_RE.search(back or ""), SHOWN_RE.search(back or "")
        if version is None or shown is None:
            return
        rating = self.rng.choices((1, 2, 3, 4), RATING_WEIGHTS)[0]
        key = (self.student.user_id, int(card[1]))
        self.writes.ratings.send(key, version[1])
        fields = {"card": card[1], "rating": rating, "shown": shown[1], "version": version[1]}
        rated = self.browser.send(
            "rate", "POST", f"{deck_url}rate/", data=fields, htmx=True, check=_rated
        )
        if rated is not None:
            self.writes.ratings.acknowledge(key, version[1])

    def study(self, plan: CoursePlan, deadline: float, stopped: threading.Event) -> None:
        """Until stopped or the deadline: open a lesson, answer its questions (some wrong first,
        then right with the form's fresh token), mark it complete, review a flashcard."""
        for _ in range(MAX_ROUNDS):
            if stopped.is_set() or time.monotonic() >= deadline:
                return
            lesson = self.rng.choice(plan.lessons)
            tokens = self.read(lesson)
            if not tokens:
                time.sleep(PAUSE_AFTER_ERROR)
                continue
            for key in self.rng.sample(list(tokens), min(2, len(tokens))):
                question = plan.questions[key]
                if self.rng.random() < WRONG_FIRST and question.wrong is not None:
                    fresh = self.answer(question, tokens[key], right=False)
                    if fresh and time.monotonic() < deadline:
                        self.answer(question, fresh, right=True)
                else:
                    self.answer(question, tokens[key], right=True)
            self.complete(lesson)
            if plan.decks:
                self.review(self.rng.choice(plan.decks))


def _has_forms(lesson: LessonPlan):
    def check(body: str) -> str | None:
        found = len(TOKEN_RE.findall(body))
        return None if found == len(lesson.questions) else "lesson without its question forms"

    return check


def _verdict_is(expected: str):
    def check(body: str) -> str | None:
        verdict = VERDICT_RE.search(body)
        if verdict is None:
            return "answer without a verdict"
        return None if verdict[1] == expected else f"graded {verdict[1]}, not {expected}"

    return check


def _completed(body: str) -> str | None:
    return None if "You completed this lesson" in body else "completion not shown"


def _rated(body: str) -> str | None:
    status = RATED_RE.search(body)
    if status is None:
        return "rating without a status"
    return None if "next review in" in status[1] else "rating refused as already recorded"
