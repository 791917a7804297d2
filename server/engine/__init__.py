"""The engine: runs readers' programs in sandboxes and reports what their processes do.

It imports nothing from Flask (tests/test_architecture.py checks this).
"""
