"""GIFT to quiz fences: every construct of Moodle's GIFT documentation, converted or reported."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from courseapp.markup.markdown import plain_text, render
from courseapp.pipeline.gift.fences import gift_to_fences
from courseapp.pipeline.gift.reading import Text
from courseapp.pipeline.gift.texts import markdown
from courseapp.quizzes.parsing import parse_question
from courseapp.quizzes.types import question_type

FIXTURE = Path(__file__).parent / "fixtures" / "gift" / "moodle-docs.gift"
SOURCE = FIXTURE.read_text()


def line_of(text: str) -> int:
    """The line of the fixture that is `text`, else the first where it appears."""
    lines = SOURCE.splitlines()
    exact = [n for n, line in enumerate(lines, start=1) if line == text]
    return exact[0] if exact else next(n for n, line in enumerate(lines, 1) if text in line)


def fence_data(fence: str) -> dict:
    return yaml.safe_load(fence.split("\n", 1)[1].rsplit("\n", 1)[0])


def parsed(fence: str):
    question, errors = parse_question(
        fence.split("\n", 1)[1].rsplit("\n", 1)[0], path="x.md", first_line=2
    )
    assert errors == []
    return question


@pytest.fixture(scope="module")
def conversion():
    return gift_to_fences(SOURCE, path="moodle-docs.gift")


@pytest.fixture(scope="module")
def fences(conversion) -> dict[str, str]:
    return {fence_data(fence)["id"]: fence for fence in conversion.fences}


@pytest.fixture(scope="module")
def questions(fences) -> dict[str, dict]:
    return {key: fence_data(fence) for key, fence in fences.items()}


def notes_at(conversion, text: str) -> list[str]:
    return [note.message for note in conversion.notes if note.line == line_of(text)]


def correct_texts(question: dict) -> list[str]:
    return [choice["text"] for choice in question["choices"] if choice.get("correct")]


def test_multiple_choice_with_one_right_answer_is_a_single_question(questions):
    planet = questions["which-planet-is-known-as-the-red-planet"]
    assert planet["type"] == "single"
    assert planet["prompt"] == "Which planet is known as the red planet?"
    assert [choice["text"] for choice in planet["choices"]] == ["Venus", "Jupiter", "Mars"]
    assert correct_texts(planet) == ["Mars"]
    python = questions["which-language-was-named-after-a-comedy-group"]
    assert correct_texts(python) == ["Python"]


def test_answers_inside_a_sentence_leave_a_blank_in_the_prompt(questions):
    seine = questions["the-seine-flows-through-on-its-way"]
    assert (seine["type"], correct_texts(seine)) == ("single", ["Paris"])
    assert seine["prompt"] == "The Seine flows through _____ on its way to the sea."
    water = questions["at-sea-level-water-boils-at-degrees"]
    assert water["prompt"] == "At sea level, water boils at _____ degrees Celsius."
    assert correct_texts(water) == ["100"]
    sum_ = questions["three-plus-four-equals"]
    assert (sum_["type"], sum_["prompt"]) == ("text", "Three plus four equals _____.")
    assert sum_["accept"] == ["seven", "7"]


def test_short_answer_accepts_every_full_credit_answer(questions):
    hamlet = questions["who-wrote-hamlet"]
    assert (hamlet["type"], hamlet["accept"]) == ("text", ["Shakespeare", "William Shakespeare"])
    assert "accept_regex" not in hamlet


def test_true_false_in_its_four_spellings(questions):
    answers = {
        key: questions[key]["answer"]
        for key in (
            "the-moon-orbits-the-earth",
            "the-sun-orbits-the-earth",
            "light-travels-faster-than-sound",
            "sound-travels-through-a-vacuum",
        )
    }
    assert list(answers.values()) == [True, False, True, False]
    assert {questions[key]["type"] for key in answers} == {"true_false"}


def test_matching_that_numbers_the_items_becomes_an_order_question(questions):
    steps = questions["put-the-steps-of-running-a-container-in"]
    assert steps["type"] == "order"
    assert [choice["text"] for choice in steps["choices"]] == [
        "Pull the image",
        "Create the container",
        "Start the container",
    ]
    ordinals = questions["which-step-comes-when"]
    assert [choice["text"] for choice in ordinals["choices"]] == [
        "Write a Dockerfile",
        "Build the image",
        "Push it",
    ]


def test_matching_of_other_pairs_is_reported_and_not_converted(conversion, questions):
    assert notes_at(conversion, "Match each country with its capital") == [
        "not converted: a matching question becomes an order question only when its pairs "
        "number the items 1, 2, 3…; these do not"
    ]
    assert not any("capital" in question["prompt"] for question in questions.values())


def test_numerical_answers_tolerances_and_ranges(questions):
    year = questions["in-which-year-did-the-berlin-wall-fall"]
    assert (year["type"], year["answer"], year.get("tolerance", 0)) == ("numeric", 1989, 0)
    root = questions["what-is-the-square-root-of-2-to"]
    assert (root["answer"], root["tolerance"]) == (1.414, 0.005)
    # A range low..high is its middle, give or take half its width.
    ranged = questions["what-is-the-square-root-of-2-to-2"]
    assert (ranged["answer"], ranged["tolerance"]) == (1.415, 0.005)


def test_several_numeric_answers_keep_the_first_and_report_the_others(conversion, questions):
    year = questions["in-which-year-did-the-berlin-wall-fall-2"]
    assert (year["answer"], year.get("tolerance", 0)) == (1989, 0)
    assert (
        "in-which-year-did-the-berlin-wall-fall-2: a numeric question has one answer: left out "
        "'1989:2' (50%)"
    ) in notes_at(conversion, "In which year did the Berlin Wall fall? {#")


def test_essays_and_descriptions_are_reported(conversion):
    assert notes_at(conversion, "Write a short history of containers") == [
        "not converted: an essay question is graded by a person; nothing here grades it"
    ]
    assert notes_at(conversion, "You may use a calculator") == [
        "not converted: a description is text, not a question: put it in the lesson's text if "
        "you need it"
    ]


def test_titles_make_ids_and_a_repeated_title_gets_a_number(conversion, questions):
    origins = questions["docker-origins"]
    assert origins["accept"] == ["2013"]
    assert origins["prompt"] == "Docker was first released\nin which year?"
    assert questions["layer-cache"]["prompt"].endswith("and the _____ are unchanged.")
    assert questions["birthplace"]["type"] == "single"
    assert questions["birthplace-2"]["type"] == "text"
    assert (
        "birthplace-2: id 'birthplace' is taken in this file or lesson, so it is 'birthplace-2'"
    ) in notes_at(conversion, "::Birthplace:: Where")


def test_an_id_number_in_a_comment_wins_over_the_title(questions):
    assert "docker-ps-wildcard" in questions
    assert "listing-containers" not in questions


def test_feedback_goes_with_its_choice(questions):
    ps = questions["which-command-lists-running-containers"]
    assert [(choice["text"], choice["feedback"]) for choice in ps["choices"]] == [
        ("docker images", "That lists images."),
        ("docker rm", "That removes containers."),
        ("docker ps", "Right!"),
    ]


def test_feedback_a_type_has_no_place_for_is_reported(conversion, questions):
    assert questions["which-port-does-https-use-by-default"]["accept"] == ["443", "https"]
    assert notes_at(conversion, "Which port does HTTPS use") == [
        "which-port-does-https-use-by-default: feedback dropped (a text question has none) on: "
        "'443', 'https'"
    ]
    assert notes_at(conversion, "Containers on one host share a kernel.{TRUE#Wrong") == [
        "containers-on-one-host-share-a-kernel: feedback on the wrong answer dropped "
        "(true/false has none): 'Wrong: they do share it.'",
        "containers-on-one-host-share-a-kernel: feedback on the right answer dropped "
        "(true/false has none): 'Right: one kernel for all.'",
    ]


def test_general_feedback_becomes_the_explanation(questions):
    kernel = questions["kernel-sharing"]
    assert (kernel["answer"], kernel["explanation"]) == (
        True,
        "Unlike virtual machines, containers do not bring a kernel of their own.",
    )
    kibibyte = questions["how-many-bytes-are-in-a-kibibyte"]
    assert (kibibyte["answer"], kibibyte["explanation"]) == (
        1024,
        "A kibibyte is 2 to the power 10 bytes.",
    )


def test_text_formats_become_markdown_that_reads_as_written(fences):
    markdown = parsed(fences["which-instruction-sets-the-default-command-of-an"])
    assert "<strong>default command</strong>" in markdown.prompt_html
    assert "<code>CMD</code>" in markdown.choices[0].feedback_html
    html = parsed(fences["which-tag-makes-text-bold"])
    assert html.prompt_html == "<p>Which tag makes text <b>bold</b>?</p>"
    # Plain text: the stars are characters, not emphasis.
    plain = parsed(fences["is-2-3-4-equal-to"])
    assert plain.prompt_html == "<p>Is 2 * 3 * 4 equal to 24?</p>"
    # Moodle's own format keeps its HTML tags.
    moodle = parsed(fences["an-image-is-a-read-only-template"])
    assert moodle.prompt_html == "<p>An image is a <i>read-only</i> template.</p>"


def test_partial_credit_in_a_single_question_is_reported(conversion, questions):
    hard = questions["hard-question"]
    assert (hard["type"], correct_texts(hard)) == ("single", ["the right answer"])
    assert notes_at(conversion, "Hard question.") == [
        "hard-question: weights dropped (a question is right or wrong, nothing between): "
        "'an answer worth half' 50%"
    ]
    assert correct_texts(questions["birthplace"]) == ["Salzburg"]
    assert notes_at(conversion, "::Birthplace::Where") == [
        "birthplace: weights dropped (a question is right or wrong, nothing between): "
        "'Austria' 25%, 'Near Munich' 50%"
    ]


def test_partial_credit_short_answers_are_left_out_and_reported(conversion, questions):
    assert questions["birthplace-2"]["accept"] == ["Salzburg"]
    assert (
        "birthplace-2: answers with partial or no credit left out: 'Salzberg' 75%, 'Vienna' 25%"
        in notes_at(conversion, "::Birthplace:: Where")
    )


def test_multiple_answers_with_weights_become_a_multiple_question(conversion, questions):
    for key in (
        "which-two-of-these-are-container-runtimes",
        "which-two-of-these-are-container-runtimes-2",
    ):
        runtimes = questions[key]
        assert (runtimes["type"], correct_texts(runtimes)) == ("multiple", ["runc", "crun"])
    assert notes_at(conversion, "Which two of these are container runtimes?") == [
        "which-two-of-these-are-container-runtimes: weights dropped (a question is right or "
        "wrong, nothing between): 'runc' 50%, 'crun' 50%"
    ]


def test_weights_that_are_not_one_set_of_right_answers_are_reported(conversion):
    assert notes_at(conversion, "Pick any two of these three primary colours") == [
        "not converted: the positive weights add up to 150%, not 100%: no set of answers is "
        "simply right"
    ]
    assert notes_at(conversion, "Which of these are prime?") == [
        "not converted: 2 answers are marked '=' (each alone is right): a single question has "
        "one right answer"
    ]


def test_escaped_characters_are_text(fences):
    sums = parsed(fences["which-sum-equals-5"])
    assert [(plain_text(c.text_html), c.correct) for c in sums.choices] == [
        ("= 2 + 2", False),
        ("= 2 + 3", True),
        ("= 2 + 4", False),
    ]
    control = parsed(fences["gift-control-characters"])
    assert [plain_text(choice.text_html) for choice in control.choices] == list("~=#{}\\")
    assert [choice.correct for choice in control.choices] == [False] * 5 + [True]
    assert plain_text(control.choices[0].feedback_html) == "~ is a control character."
    port = parsed(fences["which-separates-a-port-mappings-host-port-from"])
    assert "8080:80" in port.prompt_html
    assert port.answer["accept"] == ["colon", ":"]
    # \n is a line break: two make a new paragraph.
    paragraphs = parsed(fences["two-escaped-newlines-start-a-new-paragraph-this"])
    assert paragraphs.prompt_html.count("<p>") == 2


def test_categories_are_reported_and_skipped(conversion):
    assert notes_at(conversion, "$CATEGORY:") == [
        "category '$course$/top/Containers' skipped: a question belongs to the lesson whose "
        "file holds it"
    ]


def test_moodle_wildcards_become_a_regular_expression(fences):
    question = parsed(fences["docker-ps-wildcard"])
    assert question.answer["accept_regex"] == ["docker ps.*"]
    assert question.answer["accept"] == ["docker container ls"]
    text = question_type("text")
    assert text.grade(question, [], "docker ps -a").correct
    assert not text.grade(question, [], "docker images").correct


def test_mistakes_and_what_the_quiz_parser_refuses_are_reported(conversion, questions):
    assert notes_at(conversion, "An answer section that never closes") == [
        "not converted: unbalanced braces: the answers go between one { and one }"
    ]
    assert notes_at(conversion, "What is ten to the power sixteen?") == [
        "not converted: the quiz parser refuses the result: answer must be smaller than 10^15, "
        "not 10000000000000000"
    ]
    assert not any("sixteen" in question["prompt"] for question in questions.values())


def test_nothing_is_dropped_silently(conversion):
    """Every question read is a fence that parses, or a note saying why it is not."""
    for fence in conversion.fences:
        parsed(fence)
    skipped = [note for note in conversion.notes if note.skipped]
    categories = [note for note in skipped if note.message.startswith("category")]
    assert len(conversion.fences) + len(skipped) - len(categories) == conversion.questions
    assert len(categories) == SOURCE.count("\n$CATEGORY:")
    assert (len(conversion.fences), conversion.questions) == (38, 45)


def test_two_answer_sections_in_one_block_are_reported():
    conversion = gift_to_fences("One? {T}\nTwo? {F}\n", path="x.gift")
    assert conversion.fences == []
    assert [note.message for note in conversion.notes] == [
        "not converted: two answer sections: separate questions with a blank line"
    ]


def test_ids_take_a_prefix_and_avoid_those_already_taken():
    source = "::Hamlet::Who wrote Hamlet?{=Shakespeare}\n\n::Hamlet::Who wrote it?{=him}\n"
    conversion = gift_to_fences(
        source, path="x.gift", prefix="Moodle Quiz", taken=frozenset({"moodle-quiz-hamlet"})
    )
    assert [fence_data(fence)["id"] for fence in conversion.fences] == [
        "moodle-quiz-hamlet-2",
        "moodle-quiz-hamlet-3",
    ]


def test_the_command_prints_fences_and_lists_what_it_could_not_convert():
    out, err = io.StringIO(), io.StringIO()
    call_command("gift_import", str(FIXTURE), stdout=out, stderr=err)
    assert out.getvalue().startswith("```quiz\nid: which-planet-is-known-as-the-red-planet\n")
    assert out.getvalue().count("```quiz\n") == 38
    report = err.getvalue().splitlines()
    essay = line_of("Write a short history")
    assert (
        f"{FIXTURE}:{essay}: not converted: an essay question is graded by a person; "
        "nothing here grades it"
    ) in report
    assert report[-1] == "38 of 45 question(s) converted, 22 note(s)."


def test_into_appends_to_a_lesson_and_the_course_still_imports(content_root):
    lesson = content_root / "demo" / "01-first-steps" / "02-commands.md"
    before = lesson.read_text()
    err = io.StringIO()
    call_command(
        "gift_import", str(FIXTURE), "--into", str(lesson), "--prefix", "moodle", stderr=err
    )
    text = lesson.read_text()
    assert text.startswith(before.rstrip("\n") + "\n\n```quiz\nid: moodle-which-planet")
    assert "Appended 38 question(s)" in err.getvalue()
    out = io.StringIO()
    call_command("import_content", str(content_root), "--check", stdout=out, stderr=io.StringIO())
    assert "no errors" in out.getvalue()


def test_into_avoids_the_ids_already_in_the_lesson(content_root, tmp_path):
    lesson = content_root / "demo" / "01-first-steps" / "02-commands.md"
    gift = tmp_path / "port.gift"
    gift.write_text("::Port number::On which port does HTTP listen?{#80}\n")
    err = io.StringIO()
    call_command("gift_import", str(gift), "--into", str(lesson), stderr=err)
    assert "id: port-number-2\n" in lesson.read_text()
    assert "id 'port-number' is taken in this file or lesson" in err.getvalue()


def test_a_file_that_is_not_utf8_or_missing_is_an_error(tmp_path):
    latin = tmp_path / "latin.gift"
    latin.write_bytes("Café?{T}".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("gift_import", str(latin), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("gift_import", str(tmp_path / "gone.gift"), stderr=io.StringIO())


@pytest.mark.parametrize(
    "written",
    [
        "# not a heading",
        "1. not a numbered list",
        "- not a list item",
        "> not a quote",
        "2 * 3 * 4 and **not bold**",
        "snake_case and _not emphasis_",
        "[not a link](https://example.com)",
        "`not code`",
        "<b>not a tag</b>",
        "Tom &amp; Jerry & co",
        "{: .not-an-attribute}",
        "a back\\slash",
    ],
)
def test_plain_text_reads_as_written(written):
    rendered = render(markdown(Text(written, "plain"))).html
    assert plain_text(rendered) == written
    assert "<" not in rendered.removeprefix("<p>").removesuffix("</p>")


def test_moodle_text_keeps_its_tags_and_nothing_else_is_markup():
    rendered = render(markdown(Text("A <b>bold</b> *star* and # hash", "moodle"))).html
    assert rendered == "<p>A <b>bold</b> *star* and # hash</p>"


def test_choices_without_a_right_answer_are_reported():
    conversion = gift_to_fences("Which?{~a ~b}\n", path="x.gift")
    assert [note.message for note in conversion.notes] == [
        "not converted: no answer is marked right (with '=' or a positive %weight%)"
    ]
