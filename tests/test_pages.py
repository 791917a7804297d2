from flask.testing import FlaskClient


def test_home_lists_lessons_in_order(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert html.index("First steps") < html.index("Second steps")
    assert 'href="/lessons/first"' in html


def test_part_headings_and_notes_appear_in_both_tables_of_contents(book_app) -> None:  # type: ignore[no-untyped-def]
    client = book_app.test_client()
    book = book_app.extensions["mpbook.book"]
    titled = [part for part in book.parts if part.title]
    assert titled, "the real book has a Part II heading in SUMMARY.md"
    home = client.get("/").get_data(as_text=True)
    sidebar = client.get(f"/lessons/{book.lessons[0].slug}").get_data(as_text=True)
    for part in titled:
        first = book.lessons.index(part.lessons[0]) + 1
        assert f'<h3 class="toc-part">{part.title}</h3>' in home
        assert f'<ol class="toc" start="{first}">' in home
        assert f'<li class="book-toc-part">{part.title}</li>' in sidebar
        if part.note:
            assert part.note.replace("'", "&#39;") in home


def test_lesson_page_has_sidebar_and_pager(client: FlaskClient) -> None:
    html = client.get("/lessons/first").get_data(as_text=True)
    assert 'aria-current="page"' in html
    assert 'rel="next" href="/lessons/second"' in html
    assert 'rel="prev"' not in html
    second = client.get("/lessons/second").get_data(as_text=True)
    assert 'rel="prev" href="/lessons/first"' in second


def test_unknown_lesson_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/lessons/nope")
    assert response.status_code == 404
    assert "There is no such page in this book." in response.get_data(as_text=True)
    assert client.get("/no/such/page").status_code == 404


def test_api_examples_in_book_order(client: FlaskClient) -> None:
    assert client.get("/api/examples").json == [
        {"id": "hello", "lesson": "first", "title": "Hello", "original_of": None},
        {"id": "hello-typo", "lesson": "second", "title": "Hello, misspelt", "original_of": "hello"},
    ]


def test_api_example_and_json_404(client: FlaskClient) -> None:
    assert client.get("/api/examples/hello").json["source"] == 'print("hello <b>world</b>")\n'
    missing = client.get("/api/examples/nope")
    assert missing.status_code == 404 and missing.json["error"] == 404


def test_pages_load_no_asset_from_another_host(client: FlaskClient) -> None:
    import re

    for path in ("/", "/lessons/first", "/lessons/second", "/nope"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path


def test_real_book_renders_every_lesson(book_app) -> None:  # type: ignore[no-untyped-def]
    client = book_app.test_client()
    book = book_app.extensions["mpbook.book"]
    for lesson in book.lessons:
        response = client.get(f"/lessons/{lesson.slug}")
        assert response.status_code == 200, lesson.slug
    listed = client.get("/api/examples").json
    assert [e["id"] for e in listed] == [e.id for e in book.examples_in_order()]
