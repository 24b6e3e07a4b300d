"""Stage 9, the report: the narrative (every sentence, from the numbers), the templates and the written HTML, Markdown and files."""
