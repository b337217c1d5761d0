"""The XSS corpus (tests/knowledge/xss_payloads.py) stored through every user-writable field
of the knowledge pages, then every page that shows them opened in headless Chromium: no
payload may run, and no dangerous markup may reach the DOM.

Detection: an init script (in every frame) replaces alert/confirm/prompt/print and defines the
``__pwn`` hook, recording each call; a dialog handler records any real dialog; the page title
must never become ``XSSED``. Independently of execution, the DOM is checked for event-handler
attributes, script-ish URLs, foreign elements (iframe, svg, object...), inline scripts and
htmx attributes carrying a payload.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from knowledge import services
from knowledge.models import FieldType
from moderation import services as moderation

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from ..knowledge.xss_payloads import PAYLOADS, URL_PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BATCH = 12
HOOKS = """
(() => {
  window.__xss = [];
  const record = (kind) => function () {
    window.__xss.push(kind + ':' + Array.from(arguments).join(','));
  };
  window.alert = record('alert');
  window.confirm = record('confirm');
  window.prompt = record('prompt');
  window.print = record('print');
  window.__pwn = record('pwn');
})();
"""
DOM_CHECK = """
() => {
  const bad = [];
  const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
                            'srcdoc', 'background', 'poster', 'codebase']);
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(`${el.tagName} ${name}`);
      if (urlAttrs.has(name) && /^(javascript|vbscript|data):/.test(value))
        bad.push(`${el.tagName} ${name}=${attr.value}`);
      if ((name.startsWith('hx-') || name.startsWith('data-hx-')) &&
          /alert|__pwn|xssed|javascript|logout|js:/i.test(attr.value + name.slice(3)))
        bad.push(`${el.tagName} ${name}=${attr.value}`);
      if (name === 'style' && /expression|javascript|url\\(|behavior/i.test(attr.value))
        bad.push(`${el.tagName} style=${attr.value}`);
      if (name === 'autofocus' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
        bad.push(`${el.tagName} autofocus`);
    }
  }
  const foreign = 'iframe, frame, frameset, object, embed, applet, svg, math, base, video, ' +
    'audio, source, img, body style, template, marquee, isindex, xmp, plaintext, noscript, ' +
    'body link, body meta, meta[http-equiv]';
  for (const el of document.querySelectorAll(foreign)) {
    // The one foreign element the site itself draws: the bell icon in the header (its
    // attributes are still checked above). User text can never create an element here.
    if (el.matches('a.notif-bell > svg[aria-hidden="true"]') &&
        [...el.children].every((c) => c.tagName.toLowerCase() === 'path')) continue;
    bad.push(`element ${el.tagName}`);
  }
  // The site's own scripts from its static files: htmx, mention suggestions, the live region.
  const own = ['/static/vendor/htmx/', '/static/js/mentions.', '/static/js/live.'];
  for (const el of document.querySelectorAll('script')) {
    if (!el.src || !own.some((path) => el.src.includes(path)) || el.textContent.trim())
      bad.push(`script ${el.src} ${el.textContent.slice(0, 40)}`);
  }
  return bad;
}
"""


def _batches():
    for start in range(0, len(PAYLOADS), BATCH):
        yield start // BATCH, PAYLOADS[start : start + BATCH]


def _toolkit_fields(batch):
    types = itertools.cycle(
        [
            FieldType.SHORT_TEXT,
            FieldType.LONG_TEXT,
            FieldType.CHOICE,
            FieldType.MULTIPLE_CHOICE,
            FieldType.URL,
            FieldType.NUMBER,
            FieldType.YES_NO,
        ]
    )
    fields = []
    for j, (payload, ftype) in enumerate(zip(batch, types, strict=False)):
        fields.append(
            {
                "key": f"q{j}",
                "label": payload[:120],
                "type": ftype,
                "required": False,
                "help": payload[:300],
                "choices": [payload[:120], f"plain {j}"],
            }
        )
    return fields


def _answers(fields, batch, url_payload):
    answers = {}
    for field, payload in zip(fields, batch, strict=False):
        ftype = field["type"]
        if ftype == FieldType.SHORT_TEXT:
            answers[field["key"]] = payload[:200]
        elif ftype == FieldType.LONG_TEXT:
            answers[field["key"]] = "\n\n".join(batch)
        elif ftype == FieldType.CHOICE:
            answers[field["key"]] = field["choices"][0]
        elif ftype == FieldType.MULTIPLE_CHOICE:
            answers[field["key"]] = field["choices"]
        elif ftype == FieldType.URL:
            answers[field["key"]] = url_payload
        elif ftype == FieldType.NUMBER:
            answers[field["key"]] = "42"
        else:
            answers[field["key"]] = True
    return answers


@pytest.fixture
def corpus():
    """Every payload through every user-writable field, via the services; and every payload as
    a moderator's reason for hiding a contribution and a comment (moderator-written text the
    author reads)."""
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="XSS Lab", slug="xss-lab", join_policy=Community.JoinPolicy.OPEN
    )
    manager = UserFactory(display_name="Mia Manager")
    author = UserFactory(display_name="<img src=x onerror=alert(1)> Ana")
    # The peer's handle is the one the corpus's mention payloads name (they become links).
    peer = UserFactory(display_name='Pete "><script>alert(1)</script>', handle="pete")
    moderator = UserFactory(display_name="Milo Moderator")
    for user, role in (
        (manager, "manager"),
        (author, "member"),
        (peer, "member"),
        (moderator, "moderator"),
    ):
        MembershipFactory(community=community, user=user, role=role)
    pages = {"author": [], "manager": []}
    statuses = itertools.cycle(["under_review", "accepted", "declined", "submitted"])
    for n, batch in _batches():
        fields = _toolkit_fields(batch)
        toolkit = services.toolkit_create(
            actor=manager,
            community=community,
            title=batch[0][:120],
            kind="other",
            custom_kind=batch[1][:40],
            guidance="\n".join(batch),
            fields=fields,
        )
        challenge = services.challenge_create(
            actor=manager,
            community=community,
            title=batch[1][:160],
            brief="\n\n".join(batch),
            wanted=batch[2][:500],
            toolkits=[toolkit],
            deadline=timezone.now() + timedelta(days=3),
            phase="open",
        )
        services.scorecard_create(
            actor=manager,
            community=community,
            title=batch[3][:120],
            challenge=challenge,
            criteria=[{"label": f"C{j} {p}"[:120], "weight": j + 1} for j, p in enumerate(batch)],
        )
        items = []
        for j, payload in enumerate(batch):
            items.append(
                services.contribution_create(
                    author=author,
                    community=community,
                    toolkit=toolkit,
                    challenge=challenge,
                    title=payload[:200],
                    body="\n\n".join(batch),
                    fields=(
                        _answers(fields, batch, URL_PAYLOADS[n % len(URL_PAYLOADS)])
                        if j == 0
                        else {}
                    ),
                    tags=[payload[:40], f"t{n}"],
                )
            )
        first = items[0]
        services.contribution_create(
            author=author, community=community, toolkit=toolkit, title=batch[-1][:200],
            body=batch[-1], submit=False,
        )  # fmt: skip
        services.contribution_set_status(
            actor=manager, contribution=first, status="under_review", reason="\n".join(batch)
        )
        for item in items[1:]:
            status = next(statuses)
            if status != "submitted":
                services.contribution_set_status(
                    actor=manager, contribution=item, status=status, reason=batch[0]
                )
        top = services.comment_create(
            author=peer, discussion=first.discussion, body="\n\n".join(batch)
        )
        for payload in batch[:5]:
            services.comment_create(author=author, parent=top, body=payload)
        services.comment_create(
            author=manager, discussion=first.discussion, body="\n\n".join(batch), official=True
        )
        services.comment_create(
            author=peer, discussion=challenge.discussion, body="\n\n".join(batch)
        )
        card = challenge.scorecards.get()
        services.evaluation_submit(
            evaluator=manager,
            contribution=first,
            scorecard=card,
            scores={c["key"]: 3 for c in card.criteria},
            note="\n".join(batch),
        )
        # Moderation reasons: a hidden contribution and a hidden reply, both the author's.
        hidden = services.contribution_create(
            author=author, community=community, toolkit=toolkit, title=batch[2][:200],
            body=batch[2],
        )  # fmt: skip
        moderation.moderation_act(
            actor=moderator, kind="hide", reason="\n".join(batch), contribution=hidden
        )
        reply = top.replies.filter(author=author).order_by("id").first()
        moderation.moderation_act(
            actor=moderator, kind="hide", reason="\n\n".join(batch), comment=reply
        )
        base = f"/c/{community.slug}"
        pages["author"] += [f"{base}/ideas/{hidden.pk}/", f"{base}/ideas/{first.pk}/"]
        pages["manager"] += [f"{base}/ideas/{hidden.pk}/"]
        pages["manager"] += [
            f"{base}/ideas/{first.pk}/",
            f"{base}/challenges/{challenge.pk}/",
            f"{base}/toolkits/{toolkit.pk}/",
            f"{base}/comments/{top.pk}/replies/",
        ]
        pages["author"] += [
            f"{base}/ideas/{first.pk}/edit/",
            f"{base}/ideas/new/?toolkit={toolkit.pk}&challenge={challenge.pk}",
        ]
    base = f"/c/{community.slug}"
    pages["manager"] += [
        f"{base}/challenges/",
        f"{base}/toolkits/",
        f"{base}/triage/",
        f"{base}/scorecards/",
        f"{base}/search/?q=alert",
        f"{base}/search/?q=script",
        f"{base}/search/?q=onerror",
        f"{base}/search/?q=%3Cscript%3E",
    ]
    pages["author"] += [f"{base}/ideas/", f"{base}/ideas/new/", f"{base}/search/?q=javascript"]
    return community, {"manager": manager, "author": author}, pages


def _sign_in(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(HOOKS)
    page = context.new_page()
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page, dialogs


def _check(page, dialogs, path: str, problems: list) -> None:
    page.goto(path, wait_until="load")
    page.wait_for_timeout(50)  # let htmx "load" triggers and autofocus handlers fire
    executed = page.evaluate("window.__xss || []")
    if executed:
        problems.append(f"{path}: executed {executed}")
    if page.title() == "XSSED":
        problems.append(f"{path}: document.title was set")
    bad = page.evaluate(DOM_CHECK)
    if bad:
        problems.append(f"{path}: dangerous DOM {bad[:5]}")
    if dialogs:
        problems.append(f"{path}: dialogs {dialogs[:]}")
        dialogs.clear()
    # The test must not pass vacuously: the payloads are on the page, as text.
    if "alert(1)" not in page.content():
        problems.append(f"{path}: no payload text shown")


def test_the_detector_works(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(HOOKS)
    page = context.new_page()
    page.set_content("<img src=x onerror=alert(1)><svg onload=__pwn()></svg>")
    page.wait_for_timeout(100)
    assert len(page.evaluate("window.__xss")) == 2
    assert page.evaluate(DOM_CHECK)
    context.close()


def test_no_payload_runs_anywhere(browser, live_server, corpus):
    community, users, pages = corpus
    problems: list[str] = []
    visited = 0
    for role in ("manager", "author"):
        context, page, dialogs = _sign_in(browser, live_server, users[role])
        paths = list(pages[role])
        for path in paths:
            _check(page, dialogs, path, problems)
            visited += 1
        # Every page of the feed, following its cursor links, for both roles.
        page.goto(f"/c/{community.slug}/ideas/")
        while True:
            _check(page, dialogs, page.url.replace(live_server.url, ""), problems)
            visited += 1
            nxt = page.locator("a[rel=next]")
            if not nxt.count():
                break
            nxt.first.click()
            page.wait_for_load_state("load")
        # htmx swaps: support button and "show all replies".
        page.goto(pages["manager"][0] if role == "manager" else f"/c/{community.slug}/ideas/")
        more = page.locator(".k-more a")
        if more.count():
            more.first.click()
            page.wait_for_timeout(300)
        if page.evaluate("window.__xss || []") or page.evaluate(DOM_CHECK):
            problems.append(f"{role}: after htmx swap")
        context.close()
    assert visited >= 60
    assert problems == [], "\n".join(problems)
