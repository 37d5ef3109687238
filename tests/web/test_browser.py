"""The web chat in a real browser: Debian's Chromium, driven by Playwright.

The whole stack runs as `make run` starts it (action server, Rasa, the web
front from scripts/stack.py) on free ports, with the obviously fake test
registry (tests/fixtures/e2e/registry.geojson), so the answers are known.
axe-core (vendored in tests/web/vendor/axe-core) checks accessibility.

Screenshots go to tests/artifacts/ (git-ignored): widget-desktop.png and
widget-phone.png are the ones copied to docs/screenshots/.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

from bot.messages import say
from scripts.stack import (
    ROOT,
    Stack,
    web_service,
)

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # other sites for the embedding tests: made-up names, all on this machine
    "--host-resolver-rules=MAP *.test 127.0.0.1",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
ARTIFACTS = ROOT / "tests" / "artifacts"
QUESTION = "Var finns närmaste apotek i Ronneby?"
OFFLINE = "Servicelotsen går inte att nå just nu"
#: the front's chat, with or without `?language=` (the widget always sends it)
CHAT_URL = re.compile(r"/api/chat(\?|$)")
#: What the English widget shows for a 429 (the front's English; the widget's own is the same).
EN_RATE_LIMITED = (
    "You have sent many messages in a short time. "
    "Please wait a little while and then try again."
)
EN_OFFLINE = "Servicelotsen cannot be reached right now"
#: Rödeby, a little more precise than the widget sends on (it rounds to ~100 m).
POSITION = {"latitude": 56.25812, "longitude": 15.61934}
DESKTOP = {"width": 1280, "height": 800}
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
#: 200 % zoom of a 1280 x 800 window: the page gets half the CSS pixels.
ZOOM_200: dict[str, Any] = {
    "viewport": {"width": 640, "height": 400},
    "device_scale_factor": 2,
}
#: Records what the browser refused under the CSP and any uncaught error.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def web_stack(shared_stack: Stack) -> Stack:
    """The shared stack (tests/conftest.py): the fake e2e registry, and one
    municipality's site allowed to embed the widget (`embed_origin`)."""
    assert shared_stack.env["SERVICELOTSEN_REGISTRY"] == str(REGISTRY)
    return shared_stack


@pytest.fixture(scope="module")
def embed_origin(web_stack: Stack) -> str:
    """A municipality's site on plain http (not a secure context), resolved to this
    machine: Chromium refuses pages from a public address the loopback space."""
    origin = web_stack.env["SERVICELOTSEN_ALLOWED_ORIGINS"]
    assert re.fullmatch(r"http://kommun\.test:\d+", origin), origin
    return origin


@pytest.fixture(scope="module")
def front(web_stack: Stack) -> str:
    return f"http://127.0.0.1:{web_stack.env['WEB_PORT']}/"


def embedding_page(front: str, option: str = "") -> str:
    """A municipality's page with the one tag an editor adds (and its option)."""
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        "<title>Kommunens webbplats</title>"
        f'<script src="{front}widget/servicelotsen.js"{option} defer></script>'
        "</head><body><main><h1>Kommunens webbplats</h1></main></body></html>"
    )


def serve_embedding_page(front: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # /english: the tag's data-lang="en" on a Swedish page
            option = ' data-lang="en"' if self.path.endswith("/english") else ""
            page = embedding_page(front, option).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def other_sites(front: str, embed_origin: str) -> Iterator[tuple[str, str]]:
    """(an allowed site, a site not allowed), both embedding the widget."""
    other_port = free_port()
    embed_port = int(embed_origin.rsplit(":", 1)[1])
    servers = [serve_embedding_page(front, p) for p in (embed_port, other_port)]
    try:
        yield f"{embed_origin}/kommun", f"http://forening.test:{other_port}/"
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (make test does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


NewPage = Callable[..., Page]


@pytest.fixture()
def new_page(browser: Browser, front: str) -> Iterator[NewPage]:
    """Pages in fresh browser contexts (own storage, own permissions).

    After the test, no page may have had an uncaught error or a CSP
    violation (inline script or style, a file from another site).
    """
    contexts: list[tuple[BrowserContext, Page, list[str], bool]] = []

    def make(axe: bool = False, **options: Any) -> Page:
        settings: dict[str, Any] = {"viewport": DESKTOP, "locale": "sv-SE"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(60_000)
        context.add_init_script(WATCH)
        if axe:  # init scripts are not subject to the page's CSP
            context.add_init_script(path=AXE)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        contexts.append((context, page, errors, axe))
        return page

    yield make
    for context, page, errors, axe in contexts:
        try:
            # axe-core itself adds a <style> that the CSP refuses: not ours
            violations = (
                [] if axe or page.is_closed() else page.evaluate("window.__cspViolations")
            )
        finally:
            context.close()
        assert errors == [], errors
        assert violations == [], violations


# --- helpers -------------------------------------------------------------------


def open_chat(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Chatta med Servicelotsen").click()
    expect(page.get_by_role("region", name="Servicelotsen")).to_be_visible()


def ask(page: Page, text: str) -> None:
    page.get_by_label("Skriv din fråga").fill(text)
    page.get_by_role("button", name="Skicka").click()


def log(page: Page) -> Locator:
    return page.get_by_role("log", name="Samtalet")


def card(page: Page, name: str) -> Locator:
    return log(page).locator(".sl-place").filter(
        has=page.get_by_text(name, exact=True)
    ).last


def quick(page: Page, title: str) -> Locator:
    return page.get_by_role("group", name="Snabbval").get_by_role("button", name=title)


def focused(page: Page) -> dict[str, Any]:
    """The element with keyboard focus, inside the widget's shadow root too."""
    result: dict[str, Any] = page.evaluate(
        """() => {
          let el = document.activeElement;
          while (el && el.shadowRoot && el.shadowRoot.activeElement) {
            el = el.shadowRoot.activeElement;
          }
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(),
            id: el.id,
            text: (el.getAttribute("aria-label") || el.textContent || "").trim(),
            ring: style.boxShadow,
            outline: style.outlineStyle + " " + style.outlineWidth,
          };
        }"""
    )
    return result


def tab_to(page: Page, text: str, limit: int = 40, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element's name starts with `text`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now["text"].startswith(text):
            # visible focus: the widget's two-colour ring (or the page's outline)
            assert now["ring"] != "none" or not now["outline"].startswith("none"), now
            return
    raise AssertionError(f"{text!r} never got keyboard focus")


def no_horizontal_overflow(page: Page) -> None:
    """Nothing in the widget sticks out of the screen sideways (reflow)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    result = page.evaluate(
        """(width) => {
          const root = document.getElementById("servicelotsen-chat").shadowRoot;
          const out = [];
          for (const el of root.querySelectorAll("*")) {
            const box = el.getBoundingClientRect();
            if (box.width && (box.left < -0.5 || box.right > width + 0.5)
                && !el.classList.contains("sl-sr") && !el.closest(".sl-sr")) {
              out.push(el.className + " " + Math.round(box.left) + ".." + Math.round(box.right));
            }
          }
          return {out, scroll: document.documentElement.scrollWidth};
        }""",
        width,
    )
    assert result["out"] == [], result["out"]
    assert result["scroll"] <= width


def screenshot(page: Page, name: str) -> Path:
    """Save the page once the widget's smooth scrolling has come to rest."""
    page.wait_for_function(
        """() => new Promise((done) => {
          const log = document.getElementById("servicelotsen-chat")
            .shadowRoot.querySelector(".sl-log");
          let last = -1, still = 0;
          const tick = () => {
            still = log.scrollTop === last ? still + 1 : 0;
            last = log.scrollTop;
            still >= 5 ? done(true) : requestAnimationFrame(tick);
          };
          tick();
        })"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def axe_problems(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA (and best-practice) findings."""
    results = page.evaluate(
        """async () => await axe.run(document, {
             runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
           })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


# --- a conversation -----------------------------------------------------------------


def test_asks_for_a_pharmacy_and_sees_named_places_with_distance(
    new_page: NewPage, front: str
) -> None:
    page = new_page()
    page.goto(front)
    panel = page.get_by_role("region", name="Servicelotsen")
    expect(panel).to_be_hidden()
    launcher = page.get_by_role("button", name="Chatta med Servicelotsen")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(panel).to_be_visible()
    assert focused(page)["id"] == "sl-input"  # ready to type
    expect(log(page)).to_contain_text("Hej! Jag är Servicelotsen")
    expect(log(page)).to_have_attribute("aria-live", "polite")

    ask(page, QUESTION)
    expect(log(page).locator(".sl-user").last).to_have_text(f"Du: {QUESTION}")
    pharmacy = card(page, "Testapotek Ronneby Centrum")
    expect(pharmacy).to_contain_text("80 m fågelvägen, cirka 100 m på väg")
    expect(pharmacy).to_contain_text("Exempelgatan 3, Ronneby")
    expect(pharmacy).to_contain_text(re.compile(r"(Öppet|Stängt) nu"))
    map_link = pharmacy.get_by_role(
        "link", name=re.compile(r"^Visa på karta\s+för Testapotek Ronneby Centrum på OpenStreetMap")
    )
    href = map_link.get_attribute("href") or ""
    assert href.startswith("https://www.openstreetmap.org/?mlat=56.21050&mlon=15.27700")
    expect(map_link).to_have_attribute("target", "_blank")
    expect(map_link).to_have_attribute("rel", "noopener noreferrer")
    answer = log(page).locator(".sl-bot").last
    expect(answer).to_contain_text("Närmaste apotek från Ronneby:")
    expect(answer).to_contain_text("Uppgifterna är från")
    expect(answer.locator(".sl-place")).to_have_count(3)
    # the cards replace the numbered lines of the text answer: nothing twice
    assert "1. Testapotek Ronneby Centrum, Exempelgatan" not in answer.inner_text()
    screenshot(page, "widget-desktop.png")


def test_a_quick_reply_asks_for_the_place_then_answers(
    new_page: NewPage, front: str
) -> None:
    page = new_page()
    open_chat(page, front)
    quick(page, "Matbutik").click()
    expect(log(page).locator(".sl-user").last).to_have_text("Du: Matbutik")
    expect(log(page).locator(".sl-bot").last).to_contain_text("Var är du?")
    ask(page, "Rödeby")
    expect(card(page, "Testbutik Rödeby")).to_contain_text("fågelvägen")


def test_the_bots_own_buttons_answer_its_question(new_page: NewPage, front: str) -> None:
    page = new_page()
    open_chat(page, front)
    ask(page, "jag är i Tving")
    buttons = log(page).get_by_role("group", name="Svarsalternativ").last
    expect(buttons).to_contain_text("Bensinstation")
    buttons.get_by_role("button", name="Bensinstation").click()
    expect(card(page, "Testmack Tving")).to_be_visible()


def test_shares_a_position_and_gets_an_answer_for_it(
    new_page: NewPage, front: str
) -> None:
    page = new_page(geolocation=POSITION, permissions=["geolocation"])
    open_chat(page, front)
    share = quick(page, "Dela min position")
    share.click()
    expect(share).to_have_attribute("aria-expanded", "true")
    question = page.get_by_role("group", name="Dela din position?")
    expect(question).to_contain_text("Din webbläsare frågar först om lov")
    expect(question).to_contain_text("ungefär 100 meter när")
    expect(question).to_contain_text("bara för att hitta service nära dig")
    with page.expect_request(CHAT_URL) as sent:
        question.get_by_role("button", name="Dela position").click()
    message = json.loads(sent.value.post_data or "{}")["message"]
    assert message == '/share_location{"latitude":56.258,"longitude":15.619}'
    expect(log(page).locator(".sl-user").last).to_have_text(
        "Du: Min position (ungefärlig)"
    )
    expect(log(page).locator(".sl-bot").last).to_contain_text("Vad letar du efter?")
    quick(page, "Apotek").click()
    expect(log(page)).to_contain_text("Närmaste apotek från dig")
    expect(card(page, "Testapotek Karlskrona")).to_contain_text("11 km fågelvägen")
    stored = page.evaluate("localStorage.getItem('servicelotsen:v1')")
    assert "Testapotek Karlskrona" in stored  # the transcript is kept...
    assert "56.25" not in stored and "15.61" not in stored  # ...the position is not


def test_a_refused_position_gets_a_swedish_explanation(
    new_page: NewPage, front: str
) -> None:
    page = new_page()  # no geolocation permission: the browser says no
    open_chat(page, front)
    quick(page, "Dela min position").click()
    page.get_by_role("button", name="Dela position").click()
    expect(log(page).locator(".sl-bot").last).to_contain_text(
        re.compile("Du delade inte din position|kunde inte ta reda på din position")
    )
    expect(log(page).locator(".sl-user")).to_have_count(0)  # nothing was sent


def test_keyboard_only(new_page: NewPage, front: str) -> None:
    page = new_page(geolocation=POSITION, permissions=["geolocation"])
    page.goto(front)
    tab_to(page, "Chatta med Servicelotsen")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "sl-input"
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(card(page, "Testapotek Ronneby Centrum")).to_contain_text("80 m")
    assert focused(page)["id"] == "sl-input"  # still there for the next question

    # share the position: back from the text field to the button, then confirm
    tab_to(page, "Dela min position", backwards=True)
    page.keyboard.press("Enter")
    assert focused(page)["text"] == "Dela position"  # focus moved into the question
    page.keyboard.press("Enter")
    expect(log(page)).to_contain_text("Närmaste apotek från dig")
    expect(card(page, "Testapotek Karlskrona")).to_be_visible()

    # a quick reply by keyboard
    tab_to(page, "Matbutik", backwards=True)
    page.keyboard.press("Enter")
    expect(log(page)).to_contain_text("Närmaste matbutiker från dig")
    expect(card(page, "Testbutik Rödeby")).to_be_visible()

    # the map link of a card is reachable too
    tab_to(page, "Visa på karta", backwards=True)

    # Escape closes and gives the focus back; Enter opens with the conversation kept
    page.keyboard.press("Escape")
    expect(page.get_by_role("region", name="Servicelotsen")).to_be_hidden()
    assert focused(page)["text"] == "Chatta med Servicelotsen"
    page.keyboard.press("Enter")
    expect(card(page, "Testbutik Rödeby")).to_be_visible()


def test_the_conversation_continues_after_a_reload(new_page: NewPage, front: str) -> None:
    page = new_page()
    open_chat(page, front)
    ask(page, QUESTION)
    expect(card(page, "Testapotek Ronneby Centrum")).to_be_visible()
    page.reload()
    expect(page.get_by_role("region", name="Servicelotsen")).to_be_visible()
    expect(card(page, "Testapotek Ronneby Centrum")).to_be_visible()
    ask(page, "och matbutik då?")  # Rasa still knows the place: same conversation
    expect(log(page)).to_contain_text("Närmaste matbutiker från Ronneby")
    page.get_by_role("button", name="Börja om").click()
    expect(log(page).locator(".sl-msg")).to_have_count(1)  # only the welcome
    expect(log(page)).not_to_contain_text("Testapotek")


# --- escaping ------------------------------------------------------------------------


def test_markup_a_resident_writes_is_shown_as_text(new_page: NewPage, front: str) -> None:
    page = new_page()
    open_chat(page, front)
    markup = '<img src=x onerror="window.__xss=1"><b>fet</b><script>window.__xss=2</script>'
    ask(page, markup)
    expect(log(page).locator(".sl-user").last).to_have_text(f"Du: {markup}")
    expect(log(page).locator(".sl-bot").nth(1)).to_be_visible()  # the bot answered
    assert log(page).locator("img, b, script").count() == 0
    assert page.evaluate("window.__xss") is None


def test_markup_and_bad_links_in_the_data_are_shown_as_text(
    new_page: NewPage, front: str
) -> None:
    """The widget alone, fed hostile data (the front cleans it too)."""
    page = new_page()
    reply = {
        "messages": [
            {
                "text": "<b>Fet</b> <script>window.__xss=1</script> Läs mer: https://example.se/info.",
                "buttons": [{"title": "<i>Knapp</i>", "payload": "/greet"}],
                "places": [
                    {
                        "number": 1,
                        "name": '<img src=x onerror="window.__xss=2">Butik',
                        "address": "<u>Gatan 1</u>",
                        "distance": "1,2 km",
                        "phone": "<b>0457-1</b>",
                        "website": "javascript:window.__xss=3",
                        "map_url": "JaVaScRiPt:window.__xss=4",
                    }
                ],
                "after": "<a href='javascript:alert(1)'>klicka</a>",
            }
        ]
    }

    def fake_chat(route: Route) -> None:
        route.fulfill(status=200, json=reply)

    page.route(CHAT_URL, fake_chat)
    open_chat(page, front)
    ask(page, "hej")
    answer = log(page).locator(".sl-bot").last
    expect(answer).to_contain_text("<b>Fet</b> <script>window.__xss=1</script>")
    expect(answer).to_contain_text('<img src=x onerror="window.__xss=2">Butik')
    expect(answer).to_contain_text("<a href='javascript:alert(1)'>klicka</a>")
    expect(answer.get_by_role("button", name="<i>Knapp</i>")).to_be_visible()
    assert answer.locator("img, b, i, u, script").count() == 0
    hrefs = answer.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://example.se/info", "tel:04571"]
    assert page.evaluate("window.__xss") is None


# --- accessibility -------------------------------------------------------------------


def test_axe_finds_no_serious_or_critical_problems(
    new_page: NewPage, front: str
) -> None:
    page = new_page(axe=True, geolocation=POSITION, permissions=["geolocation"])
    page.goto(front)
    problems = {"closed": axe_problems(page)}
    page.get_by_role("button", name="Chatta med Servicelotsen").click()
    ask(page, QUESTION)
    expect(card(page, "Testapotek Ronneby Centrum")).to_be_visible()
    quick(page, "Dela min position").click()
    problems["answer and position question"] = axe_problems(page)
    phone = new_page(axe=True, **PHONE)
    open_chat(phone, front)
    ask(phone, QUESTION)
    expect(card(phone, "Testapotek Ronneby Centrum")).to_be_visible()
    problems["phone"] = axe_problems(phone)
    assert problems == {state: [] for state in problems}


def test_works_on_a_360_px_phone(new_page: NewPage, front: str) -> None:
    page = new_page(**PHONE)
    open_chat(page, front)
    box = page.get_by_role("region", name="Servicelotsen").bounding_box()
    assert box is not None and box["x"] >= 0 and box["width"] <= 360
    ask(page, QUESTION)
    expect(card(page, "Testapotek Ronneby Centrum")).to_be_visible()
    no_horizontal_overflow(page)
    for name in ("Stäng chatten", "Skicka", "Dela min position", "Börja om"):
        control = page.get_by_role("button", name=name)
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport()
    screenshot(page, "widget-phone.png")


def test_works_at_200_percent_zoom(new_page: NewPage, front: str) -> None:
    page = new_page(**ZOOM_200)
    open_chat(page, front)
    ask(page, QUESTION)
    expect(card(page, "Testapotek Ronneby Centrum")).to_be_visible()
    no_horizontal_overflow(page)
    for name in ("Stäng chatten", "Matbutik", "Dela min position", "Skicka", "Börja om"):
        control = page.get_by_role("button", name=name)
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport()
    quick(page, "Apotek").click()
    expect(log(page).locator(".sl-user").last).to_have_text("Du: Apotek")
    screenshot(page, "widget-zoom-200.png")


@pytest.mark.parametrize(("motion", "animation"), [("reduce", "none"), ("no-preference", "sl-blink")])
def test_the_typing_dots_respect_reduced_motion(
    new_page: NewPage, front: str, motion: str, animation: str
) -> None:
    page = new_page(reduced_motion=motion)
    held: list[Route] = []
    page.route(CHAT_URL, lambda route: held.append(route))  # hold the answer
    open_chat(page, front)
    ask(page, "hej")
    dots = page.locator(".sl-dots span").first
    expect(dots).to_be_attached()
    assert dots.evaluate("el => getComputedStyle(el).animationName") == animation
    expect(page.get_by_role("status")).to_contain_text("Servicelotsen skriver")
    held[0].continue_()
    expect(log(page).locator(".sl-bot").nth(1)).to_be_visible()


# --- embedding and failures ----------------------------------------------------------


def test_an_allowed_site_embeds_the_widget_with_one_tag(
    new_page: NewPage, other_sites: tuple[str, str]
) -> None:
    page = new_page()
    open_chat(page, other_sites[0])
    assert page.title() == "Kommunens webbplats"
    ask(page, QUESTION)
    expect(card(page, "Testapotek Ronneby Centrum")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("")
    # plain http: no position from the browser, so no button that cannot work;
    # and no crypto.randomUUID, so the id comes from getRandomValues
    expect(quick(page, "Matbutik")).to_be_visible()
    expect(quick(page, "Dela min position")).to_be_hidden()
    stored = json.loads(page.evaluate("localStorage.getItem('servicelotsen:v1')"))
    assert re.fullmatch(r"[0-9a-f]{32}", stored["sender"])


def test_a_site_not_allowed_is_told_so(
    new_page: NewPage, other_sites: tuple[str, str]
) -> None:
    page = new_page()
    open_chat(page, other_sites[1])
    ask(page, "hej")
    # the browser refuses the answer (no CORS header): the widget says it cannot reach
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    expect(log(page).locator(".sl-user").last).to_contain_text("Inte skickat")


def test_an_unreachable_front_gives_the_offline_message(
    new_page: NewPage, front: str
) -> None:
    page = new_page()
    page.route("**/api/**", lambda route: route.abort("connectionrefused"))
    open_chat(page, front)
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    ask(page, "hej")
    expect(log(page).locator(".sl-user").last).to_contain_text("Inte skickat")
    expect(page.get_by_label("Skriv din fråga")).to_have_value("hej")  # not lost


@pytest.mark.parametrize(
    ("path", "alert", "not_sent", "field"),
    [
        ("", say("web_rate_limited"), "Inte skickat", "Skriv din fråga"),
        ("en", EN_RATE_LIMITED, "Not sent", "Type your question"),
    ],
    ids=["sv", "en"],
)
def test_too_many_messages_get_an_answer_in_the_widgets_language(
    new_page: NewPage,
    web_stack: Stack,
    tmp_path: Path,
    path: str,
    alert: str,
    not_sent: str,
    field: str,
) -> None:
    """A second front on the same Rasa, allowing two messages a minute."""
    env = dict(
        web_stack.env,
        WEB_PORT=str(free_port()),
        SERVICELOTSEN_RATE_LIMIT_CONVERSATION="2/min",
    )
    limited = Stack([web_service(env, log_dir=tmp_path)], env)
    limited.start(timeout=60)
    try:
        page = new_page()
        page.goto(f"http://127.0.0.1:{env['WEB_PORT']}/{path}")
        page.locator(".sl-launcher").click()
        bots = page.locator(".sl-log .sl-bot")
        for count, text in ((2, "hej"), (3, "tack")):
            page.get_by_label(field).fill(text)
            page.keyboard.press("Enter")
            expect(bots).to_have_count(count)
        page.get_by_label(field).fill("apotek i Ronneby")
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert")).to_have_text(alert)
        expect(page.locator(".sl-user").last).to_contain_text(not_sent)
        expect(page.get_by_label(field)).to_have_value("apotek i Ronneby")
    finally:
        limited.stop()


# --- English -------------------------------------------------------------------------

def widget_lang(page: Page) -> str:
    return str(
        page.evaluate(
            """() => document.getElementById("servicelotsen-chat").shadowRoot
                 .querySelector(".sl-root").getAttribute("lang")"""
        )
    )


def sender_of(page: Page) -> str:
    return str(json.loads(page.evaluate("localStorage.getItem('servicelotsen:v1')"))["sender"])


def user_metadata(web_stack: Stack, sender: str) -> list[dict[str, Any]]:
    """The metadata Rasa stored with each of the resident's messages."""
    token = web_stack.env["SERVICELOTSEN_AUTH_TOKEN"]  # the shared stack has one
    url = (
        f"http://127.0.0.1:{web_stack.env['RASA_PORT']}/conversations/{sender}/tracker"
        f"?token={token}"
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        tracker = json.loads(resp.read())
    # Rasa adds its own keys (model_id, assistant_id): the widget's two only
    keys = ("language", "language_source")
    return [
        {k: v for k, v in (e.get("metadata") or {}).items() if k in keys}
        for e in tracker["events"]
        if e["event"] == "user"
    ]


def language_button(page: Page, name: str) -> Locator:
    return page.get_by_role("group", name=re.compile("^(Språk|Language)$")).get_by_role(
        "button", name=name
    )


def test_the_widget_in_english_on_an_english_page(
    new_page: NewPage, front: str, web_stack: Stack
) -> None:
    """An English page: every word of the widget in English, axe clean when
    closed, open with place cards and with the position question, and on a
    phone; Rasa gets the language with each message."""
    page = new_page(axe=True, locale="en-GB", geolocation=POSITION, permissions=["geolocation"])
    page.goto(f"{front}en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    problems = {"closed": axe_problems(page)}
    launcher = page.get_by_role("button", name="Chat with Servicelotsen")
    launcher.click()
    panel = page.get_by_role("region", name="Servicelotsen")
    expect(panel).to_be_visible()
    assert widget_lang(page) == "en"
    expect(panel).to_contain_text("Find services near you in Blekinge")
    expect(language_button(page, "English")).to_have_attribute("aria-pressed", "true")
    expect(language_button(page, "Svenska")).to_have_attribute("aria-pressed", "false")
    expect(language_button(page, "Svenska")).to_have_attribute("lang", "sv")
    conversation = page.get_by_role("log", name="Conversation")
    expect(conversation.locator(".sl-bot").first).to_contain_text(
        "Hello! I am Servicelotsen. I help you find services near you in Blekinge"
    )
    field = page.get_by_label("Type your question")
    expect(field).to_have_attribute("placeholder", "E.g. pharmacy in Ronneby")
    for name in ("Close the chat", "Send", "Start over"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    # the widget's own link (the page's "About personal data" opens in the same tab)
    privacy = page.get_by_role("link", name=re.compile(r"^About personal data \(opens in"))
    expect(privacy).to_have_attribute("hreflang", "en")
    expect(privacy).to_have_attribute("href", f"{front}en/personal-data")
    choices = page.get_by_role("group", name="Quick choices")
    expect(choices.get_by_role("button")).to_have_text(
        ["Grocery shop", "Pharmacy", "Parcel pickup", "Share my position"]
    )
    # a quick reply, then a place: cards with the widget's English words
    choices.get_by_role("button", name="Pharmacy").click()
    expect(conversation.locator(".sl-user").last).to_have_text("You: Pharmacy")
    expect(conversation.locator(".sl-bot").nth(1)).to_be_visible()  # where are you?
    field.fill("Ronneby")
    page.get_by_role("button", name="Send").click()
    place = conversation.locator(".sl-place").filter(
        has=page.get_by_text("Testapotek Ronneby Centrum", exact=True)
    ).last
    expect(place).to_contain_text("as the crow flies")
    expect(place.get_by_role("link", name=re.compile("^Show on map for Testapotek Ronneby Centrum"))).to_be_visible()
    expect(conversation.get_by_role("list", name="Places").last).to_be_visible()
    choices.get_by_role("button", name="Share my position").click()
    question = page.get_by_role("group", name="Share your position?")
    expect(question).to_contain_text("Your browser asks for permission first")
    expect(question.get_by_role("button", name="Share position")).to_be_visible()
    problems["open, cards and position question"] = axe_problems(page)
    question.get_by_role("button", name="Cancel").click()
    # Rasa got the language with each message (channels/rest.py keeps it)
    assert user_metadata(web_stack, sender_of(page)) == [
        {"language": "en", "language_source": "page"}
    ] * 2
    phone = new_page(axe=True, locale="en-GB", **PHONE)
    phone.goto(f"{front}en")
    phone.get_by_role("button", name="Chat with Servicelotsen").click()
    expect(phone.get_by_role("button", name="Close the chat")).to_be_in_viewport()
    no_horizontal_overflow(phone)
    problems["phone"] = axe_problems(phone)
    assert problems == {state: [] for state in problems}
    screenshot(page, "widget-english.png")


def test_the_language_switch_by_keyboard(
    new_page: NewPage, front: str, web_stack: Stack
) -> None:
    """On the Swedish page: Tab to English, press it, everything follows and
    is remembered; Rasa is told the resident chose it; back to Svenska."""
    page = new_page()
    page.goto(front)
    tab_to(page, "Chatta med Servicelotsen")
    page.keyboard.press("Enter")
    expect(language_button(page, "Svenska")).to_have_attribute("aria-pressed", "true")
    tab_to(page, "English", backwards=True)  # from the text field, back up to the header
    assert focused(page)["tag"] == "button"
    page.keyboard.press("Space")
    english = language_button(page, "English")
    expect(english).to_have_attribute("aria-pressed", "true")
    expect(language_button(page, "Svenska")).to_have_attribute("aria-pressed", "false")
    assert focused(page)["text"] == "English"  # the focus stays on the switch
    assert widget_lang(page) == "en"
    expect(page.get_by_role("status")).to_have_text("The chat is now in English.")
    # only the greeting so far: it is now English too
    conversation = page.get_by_role("log", name="Conversation")
    expect(conversation.locator(".sl-bot")).to_have_count(1)
    expect(conversation.locator(".sl-bot").first).to_contain_text("Hello! I am Servicelotsen.")
    page.get_by_label("Type your question").fill("hello")
    page.keyboard.press("Enter")
    expect(conversation.locator(".sl-bot").nth(1)).to_be_visible()
    assert user_metadata(web_stack, sender_of(page)) == [
        {"language": "en", "language_source": "switch"}
    ]
    # remembered over a reload, and kept by "Start over"
    page.reload()
    expect(page.get_by_role("button", name="Close the chat")).to_be_visible()
    page.get_by_role("button", name="Start over").click()
    expect(page.get_by_role("status")).to_have_text(
        "The conversation has been cleared. You can start over."
    )
    expect(english).to_have_attribute("aria-pressed", "true")
    # and back
    tab_to(page, "Svenska", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Skriv din fråga")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Chatten visas nu på svenska.")
    assert widget_lang(page) == "sv"
    expect(log(page).locator(".sl-bot").first).to_contain_text("Hej! Jag är Servicelotsen.")


def test_the_tags_data_lang_chooses_english_on_a_swedish_page(
    new_page: NewPage, other_sites: tuple[str, str]
) -> None:
    page = new_page()
    page.goto(f"{other_sites[0]}/english")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role("button", name="Chat with Servicelotsen").click()
    expect(page.get_by_role("button", name="Close the chat")).to_be_visible()
    assert widget_lang(page) == "en"


def test_an_unreachable_front_gives_the_offline_message_in_english(
    new_page: NewPage, front: str
) -> None:
    page = new_page()
    page.route("**/api/**", lambda route: route.abort("connectionrefused"))
    page.goto(f"{front}en")
    page.get_by_role("button", name="Chat with Servicelotsen").click()
    expect(page.get_by_role("alert")).to_contain_text(EN_OFFLINE)
    page.get_by_label("Type your question").fill("hello")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".sl-user").last).to_contain_text("Not sent")


# --- personal data -------------------------------------------------------------------


def test_the_privacy_link_is_reached_by_keyboard_and_opens_the_page(
    new_page: NewPage, front: str
) -> None:
    page = new_page()
    page.goto(front)
    tab_to(page, "Chatta med Servicelotsen")
    page.keyboard.press("Enter")
    tab_to(page, "Om personuppgifter")
    assert focused(page)["tag"] == "a"
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    document = opened.value
    document.wait_for_load_state()
    assert document.url == f"{front}personuppgifter"
    expect(document.get_by_role("heading", level=1)).to_have_text("Om personuppgifter")
    expect(document.get_by_role("table")).to_contain_text("30 dagar")
    expect(document.get_by_role("link", name="Tillbaka till chatten")).to_be_visible()
    assert document.evaluate("window.__cspViolations") == []
    no_page_overflow(document, DESKTOP["width"])


def test_the_english_page_links_the_english_privacy_page(
    new_page: NewPage, front: str
) -> None:
    """/en and its widget link /en/personal-data (docs/personal-data.md), an
    English page that leads back to /en."""
    page = new_page(axe=True)
    page.goto(f"{front}en")
    on_page = page.locator("main").get_by_role("link", name="About personal data")
    expect(on_page).to_have_attribute("href", "/en/personal-data")
    on_page.click()
    page.wait_for_load_state()
    assert page.url == f"{front}en/personal-data"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("About personal data")
    expect(page.get_by_role("table")).to_contain_text("30 days")
    assert axe_problems(page) == []
    assert page.evaluate("window.__cspViolations") == []
    page.get_by_role("link", name="Back to the chat").click()
    page.wait_for_load_state()
    assert page.url == f"{front}en"
    # the widget's link, reached by keyboard, opens the same page
    tab_to(page, "Chat with Servicelotsen")
    page.keyboard.press("Enter")
    tab_to(page, "About personal data")
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    document = opened.value
    document.wait_for_load_state()
    assert document.url == f"{front}en/personal-data"
    expect(document.get_by_role("heading", level=1)).to_have_text("About personal data")


def test_the_privacy_page_is_accessible_on_a_phone(new_page: NewPage, front: str) -> None:
    page = new_page(axe=True, **PHONE)
    page.goto(f"{front}personuppgifter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Om personuppgifter")
    assert axe_problems(page) == []
    no_page_overflow(page, 360)


def no_page_overflow(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_offline_message_when_rasa_does_not_answer(
    new_page: NewPage, web_stack: Stack, tmp_path: Path
) -> None:
    """A second front whose Rasa does not answer (nothing listens on its port),
    so the shared stack's Rasa keeps running for the other tests."""
    env = dict(
        web_stack.env,
        WEB_PORT=str(free_port()),
        RASA_URL=f"http://127.0.0.1:{free_port()}",
    )
    offline = Stack([web_service(env, log_dir=tmp_path)], env)
    offline.start(timeout=60)
    try:
        front = f"http://127.0.0.1:{env['WEB_PORT']}/"
        page = new_page()
        open_chat(page, front)
        ask(page, "hej")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(OFFLINE)
        expect(log(page).locator(".sl-user").last).to_contain_text("Inte skickat")
        page.reload()  # opening the chat asks whether Rasa answers
        expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
        screenshot(page, "widget-offline.png")
    finally:
        offline.stop()
