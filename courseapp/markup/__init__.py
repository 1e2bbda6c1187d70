"""Text in, values out: Markdown rendering and YAML with line numbers. Imports no app."""
