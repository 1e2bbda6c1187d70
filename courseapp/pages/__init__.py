"""Pages that combine the domain apps: course outline, lesson page, answering, dashboard."""
