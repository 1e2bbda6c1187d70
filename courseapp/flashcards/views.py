import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from fsrs import Rating

from courseapp.catalog.selectors import course_get
from courseapp.flashcards import selectors, services
from courseapp.flashcards.scheduling import interval_words


@require_GET
def deck_list(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = course_get(course_slug, reader=request.user)
    decks = selectors.course_decks(course=course, user=request.user)
    limit = selectors.new_cards_per_day(request.user) if request.user.is_authenticated else None
    return render(
        request,
        "flashcards/decks.html",
        {"course": course, "decks": decks, "new_cards_per_day": limit},
    )


@require_GET
def deck_detail(request: HttpRequest, course_slug: str, deck_slug: str) -> HttpResponse:
    course = course_get(course_slug, reader=request.user)
    deck = selectors.deck_get(course, slug=deck_slug)
    return render(
        request,
        "flashcards/deck.html",
        {"course": course, "deck": deck, "cards": selectors.deck_cards(deck)},
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def review(request: HttpRequest, course_slug: str, deck_slug: str) -> HttpResponse:
    """The front of the next card; with `card` and `answer`, that card's back and ratings."""
    course = course_get(course_slug, reader=request.user)
    deck = selectors.deck_get(course, slug=deck_slug)
    card_id = _int(request.GET.get("card"))
    item = selectors.review_next(user=request.user, deck=deck, card_id=card_id)
    context = {
        "course": course,
        "deck": deck,
        "item": item,
        "answer": card_id is not None and "answer" in request.GET,
        "shown": _int(request.GET.get("shown")) or _now_ms(),
    }
    return _render_review(request, context)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def review_rate(request: HttpRequest, course_slug: str, deck_slug: str) -> HttpResponse:
    course = course_get(course_slug, reader=request.user)
    deck = selectors.deck_get(course, slug=deck_slug)
    card_id, rating = _int(request.POST.get("card")), _int(request.POST.get("rating"))
    if card_id is None or rating not in set(Rating):
        return HttpResponseBadRequest("Choose a card and a rating from 1 to 4.")
    card = selectors.deck_card_get(deck, card_id=card_id)
    shown = _int(request.POST.get("shown"))
    try:
        state = services.card_review(
            user=request.user,
            card=card,
            rating=rating,
            duration_ms=None if shown is None else _now_ms() - shown,
            shown_version=request.POST.get("version") or None,
        )
    except services.ReviewAlreadyRecorded:
        status = "That card was already rated."
    else:
        interval = interval_words(state.due - state.last_review)
        status = f"{Rating(rating).name}: next review in {interval}."
    if not request.htmx:
        messages.info(request, status)
        return redirect("flashcards:review", course.slug, deck.slug)
    item = selectors.review_next(user=request.user, deck=deck)
    context = {"course": course, "deck": deck, "item": item, "answer": False, "shown": _now_ms()}
    return _render_review(request, {**context, "oob_status": status})


def _render_review(request: HttpRequest, context: dict) -> HttpResponse:
    item = context["item"]
    if item.card is None:
        context["summary"] = selectors.review_summary(user=request.user, deck=context["deck"])
    template = "flashcards/review.html#review-card" if request.htmx else "flashcards/review.html"
    return render(request, template, context)


@login_required
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    value = _int(request.POST.get("new_cards_per_day"))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("catalog:index")
    if value is None or not 0 <= value <= 500:
        messages.error(request, "New cards per day must be a whole number from 0 to 500.")
    else:
        services.flashcard_settings_update(user=request.user, new_cards_per_day=value)
        messages.success(request, f"You will see up to {value} new cards a day.")
    return redirect(next_url)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and len(value) < 20 else None
    except ValueError:
        return None


def _now_ms() -> int:
    return int(time.time() * 1000)
