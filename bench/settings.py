"""The production settings plus one trivial view, the baseline every scenario is compared with."""

from courseapp.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
