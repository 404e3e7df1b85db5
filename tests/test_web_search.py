"""Search across meetings in a real browser (Chromium, Playwright) against `greffier serve`: the
header's field opens the results page, the matched words are marked, a transcript's text that looks
like HTML stays text, and a hit opens its meeting at that moment."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import eval_file
from servers import Service, seed_account, service_env, upload, wait_job
from tests.test_web import EMAIL, PASSWORD, TABLET, Web, open_page, sign_in

PORTS = range(19100, 19200)
SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"
TEXT = "Les pompiers <img src=x onerror=alert(1)> réclament & obtiennent deux camions."
TRANSCRIPT = {
    "language": "fr",
    "duration": 20.0,
    "segments": [
        {"id": 0, "start": 0.0, "end": 1.5, "text": "Bonjour à tous.", "speaker": "S1"},
        {"id": 1, "start": 12.0, "end": 14.0, "text": TEXT, "speaker": "S2"},
    ],
    "speakers": [{"id": "S1"}, {"id": "S2", "name": "Anne"}],
}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Web, str]]:
    data = tmp_path_factory.mktemp("web-search")
    token = seed_account(data, "acme", EMAIL, PASSWORD)
    service = Service(service_env(data), data / "serve.log", ports=PORTS).start()
    try:
        with service.client(token) as client:
            meeting = upload(client, eval_file(SHORT), language="fr", title="Conseil des pompiers")
            assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
            saved = client.put(
                f"/api/meetings/{meeting['id']}/transcript", json=TRANSCRIPT, headers={"If-Match": '"1"'}
            )
            assert saved.status_code == 200, saved.text
        yield Web(service, data), meeting["id"]
    finally:
        service.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser)


def test_search_from_the_header_to_the_moment(page: Page, web: tuple[Web, str]) -> None:
    server, meeting_id = web
    sign_in(page, server)
    field = page.get_by_role("searchbox", name="Rechercher dans toutes les réunions")
    field.fill("camion pompier")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=camion\+pompier$"))
    expect(page.get_by_role("heading", name="Recherche dans les réunions")).to_be_visible()
    hit = page.locator(".hit").filter(has_text="réclament").first
    expect(hit).to_be_visible()
    expect(hit.locator("mark")).to_have_text(["pompiers", "camions"])
    expect(hit.locator(".snippet")).to_contain_text("<img src=x onerror=alert(1)>")  # text, not markup
    assert page.locator(".hits img").count() == 0
    expect(hit).to_contain_text("S2, Anne")
    expect(field).to_have_value("camion pompier")  # the field keeps the search

    # a tablet: the header's field does not widen the page past the screen
    page.set_viewport_size(TABLET)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    # the hit opens its meeting at that moment: the passage marked
    hit.get_by_role("link", name="Conseil des pompiers").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}#t=12,14$"))
    expect(page.locator(".evidence")).to_contain_text("réclament")

    # nothing found, and an empty search, are said
    page.goto(server.url + "/search?q=zzyzx+quokka")
    expect(page.get_by_role("status").filter(has_text="Rien trouvé")).to_be_visible()
    page.goto(server.url + "/search")
    expect(page.get_by_text("Tapez quelques mots")).to_be_visible()
