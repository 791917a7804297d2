"""The one error of the content loader."""


class ContentError(Exception):
    """The content folder is not laid out as docs/content.md says; the message names the file and the fault."""
