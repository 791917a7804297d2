"""mpbook: an interactive textbook on Python multiprocessing.

Three wings (docs/architecture.md): ``mpbook.web`` serves pages and the run
socket, ``mpbook.book`` reads and renders the content, ``mpbook.engine`` runs
readers' programs in sandboxes and knows nothing of the web.
"""
