"""What the simulated students work through: the course's lessons, each question with a right
and a wrong answer as the form's fields, the flashcard decks, and who the students are.

Plain data: stress.prepare builds it from the database, stress.client acts on it.
"""

from dataclasses import dataclass

STUDENT_PASSWORD = "stress-password-1"  # noqa: S105 (the throwaway accounts of a stress run)

Fields = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class QuestionPlan:
    key: str
    type: str
    url: str  # where the question's form posts
    right: Fields
    wrong: Fields | None  # None when no wrong answer could be made up (it graded correct)


@dataclass(frozen=True)
class LessonPlan:
    lesson_id: int
    url: str
    questions: tuple[str, ...]  # keys, in page order

    @property
    def complete_url(self) -> str:
        return f"{self.url}complete/"


@dataclass(frozen=True)
class CoursePlan:
    slug: str
    lessons: tuple[LessonPlan, ...]
    questions: dict[str, QuestionPlan]
    decks: tuple[str, ...]  # review URLs of the course's flashcard decks

    @property
    def types(self) -> list[str]:
        return sorted({question.type for question in self.questions.values()})

    def lesson_of(self, key: str) -> LessonPlan:
        return next(lesson for lesson in self.lessons if key in lesson.questions)


@dataclass(frozen=True)
class Student:
    username: str
    user_id: int
    cookies: tuple[tuple[str, str], ...] = ()  # a signed-in session; empty: logs in by the form
