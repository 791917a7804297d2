"""The book: lessons, examples and their rendering, read from content/."""
