"""The content pipeline: reads course folders into plain values and imports them.

It sits above the domain apps (catalog, quizzes, flashcards), which never import it.
"""
