"""Moodle's GIFT question format, both ways: GIFT files to quiz fences, a course's questions to
GIFT. See "Bringing questions from Moodle (GIFT)" in docs/authoring.md."""
