"""`{% preview_script course %}`: the live preview's script, on pages in development only."""

from django import template
from django.conf import settings

from courseapp.catalog.models import Course

register = template.Library()


@register.inclusion_tag("pages/_preview_script.html", takes_context=True)
def preview_script(context: template.Context, course: Course) -> dict:
    """The script tag (with the request's CSP nonce) when DEBUG is on, else nothing."""
    return {"enabled": settings.DEBUG, "course": course, "csp_nonce": context.get("csp_nonce")}
