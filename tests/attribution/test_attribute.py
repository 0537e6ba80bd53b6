"""Attribution of one commit: the catalogue as the fast path, the principles for the rest, and what
must stay a person. Messages and identities are hand-written in the shapes real tools use."""

from __future__ import annotations

import pytest

from signoff.attribution.attribute import Attribution, AttributionKind, Attributor, attribute
from signoff.changes import Commit, Person, Signature
from signoff.identity.agents import Registry
from signoff.identity.signers import Signers

PERSON = ("Pat Developer", "pat@example.com")
NO_REGISTRY = Registry((), "", "test")


def commit(
    message: str, author: tuple[str, str] = PERSON, committer: tuple[str, str] | None = None
) -> Commit:
    c = committer or author
    return Commit("a" * 40, (), Person(*author, 0), Person(*c, 0), message, Signature("N"))


def attr(message: str, author: tuple[str, str] = PERSON, **kw: tuple[str, str]) -> Attribution:
    return attribute(commit(message, author, **kw), NO_REGISTRY, Signers())


def ids(a: Attribution) -> list[str]:
    return [actor.id for actor in a.actors]


# --- the catalogue (fast path) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "author", "want"),
    [
        # trailers in two blocks (co-author, then a session block)
        (
            "Fix\n\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>\n\n"
            "Copilot-Session: 1234\n",
            PERSON,
            "unregistered:github-copilot",
        ),
        ("Fix\n\nCopilot-Session: 5678\n", PERSON, "unregistered:github-copilot"),
        (
            "Fix\n\nClaude-Generated-By: Claude Code (cli/model=100%)\n",
            PERSON,
            "unregistered:claude-code",
        ),
        (
            "Fix\n\nhttps://claude.ai/code/session_01AbCdEf\n",
            ("Claude", "noreply@anthropic.com"),
            "unregistered:claude-code",
        ),
        ("Fix\n\nhttps://claude.ai/code/session_01AbCdEf\n", PERSON, "unregistered:claude-code"),
        (
            "Release 1.2.3\n",
            ("GitHub Actions", "actions@github.com"),
            "unregistered:github-actions",
        ),
        (
            "Fix\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
            PERSON,
            "unregistered:cursor",
        ),
        # AI services whose [bot] accounts say nothing of AI by their names
        (
            "Fix\n",
            ("roomote[bot]", "1+roomote[bot]@users.noreply.github.com"),
            "unregistered:roo-code",
        ),
        (
            "Fix\n\nCo-authored-by: Roo Code <roomote@roocode.com>\n",
            PERSON,
            "unregistered:roo-code",
        ),
        (
            "Fix\n",
            ("cline-cloud[bot]", "2+cline-cloud[bot]@users.noreply.github.com"),
            "unregistered:cline",
        ),
        (
            "Fix\n\nCo-authored-by: greptile-apps[bot]"
            " <3+greptile-apps[bot]@users.noreply.github.com>\n",
            PERSON,
            "unregistered:greptile",
        ),
        (
            "Fix\n",
            ("oz-for-oss[bot]", "7+oz-for-oss[bot]@users.noreply.github.com"),
            "unregistered:warp",
        ),
        ("Fix\n\nCo-authored-by: Oz <oz-agent@warp.dev>\n", PERSON, "unregistered:warp"),
        (
            "Fix\n",
            ("seer-by-sentry[bot]", "8+seer-by-sentry[bot]@users.noreply.github.com"),
            "unregistered:sentry-ai",
        ),
        (
            "Fix\n",
            ("openharness[bot]", "9+openharness[bot]@users.noreply.github.com"),
            "unregistered:open-agents",
        ),
        (
            "Fix\n\nCo-authored-by: Factory Droid <droid@factory.ai>\n",
            PERSON,
            "unregistered:factory-droid",
        ),
        # an address with stray text after it is still that address
        ("Fix\n\nCo-Authored-By: Oz <oz-agent@warp.dev>:wq\n", PERSON, "unregistered:warp"),
        (
            "Fix\n\nCo-authored-by: ellipsis-dev[bot]"
            " <4+ellipsis-dev[bot]@users.noreply.github.com>\n",
            PERSON,
            "unregistered:ellipsis",
        ),
    ],
)
def test_catalogue(message: str, author: tuple[str, str], want: str) -> None:
    a = attr(message, author)
    assert want in ids(a)
    assert a.kind is (AttributionKind.BOT if "actions" in want else AttributionKind.AGENT)


def test_github_actions_identity_is_a_bot() -> None:
    a = attr("chore: bump version\n", ("GitHub Actions", "actions@github.com"))
    assert a.kind is AttributionKind.BOT


def test_a_url_in_prose_is_not_authorship() -> None:
    a = attr(
        "Add a link to the web app\n\n"
        "The settings page now links to https://claude.ai/code so that users\n"
        "can open a session from the dashboard, and the docs explain it.\n"
    )
    assert a.kind is AttributionKind.UNVERIFIED


# --- principles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "author", "want", "rule"),
    [
        (
            "Fix\n\n🤖 Generated with [quillcode](https://quill.example)\n",
            PERSON,
            "unregistered:quillcode",
            "self-declaration",
        ),
        (
            "Fix\n\n💫 Generated with Starling\n",
            PERSON,
            "unregistered:starling",
            "self-declaration",
        ),
        (
            "Fix\n\n_PR created with Starling Agent_\n",
            PERSON,
            "unregistered:starling-agent",
            "self-declaration",
        ),
        (
            "Fix\n\nAutomated security fix generated by Vigil Security AI\n",
            PERSON,
            "unregistered:vigil-security-ai",
            "self-declaration",
        ),
        (
            "Fix\n\nCreated with Claude Code\n",
            PERSON,
            "unregistered:claude-code",
            "self-declaration",
        ),
        ("Fix\n\nMade-with: Cursor\n", PERSON, "unregistered:cursor", "tool-trailer"),
        (
            "Fix\n\nAssisted-by: Starling:model-7.1\n",
            PERSON,
            "unregistered:starling",
            "tool-trailer",
        ),
        (
            "Fix\n\nAssisted-by: Model-5 via Starling <starling@starling.example>\n",
            PERSON,
            "unregistered:starling",
            "tool-trailer",
        ),
        (
            "Fix\n\nQuill-Thread-ID: https://quill.example/threads/T-1\n",
            PERSON,
            "unregistered:quill",
            "tool-trailer",
        ),
        (
            "Fix\n\nCo-authored-by: GPT-5 Codex <codex@openai.com>\n",
            PERSON,
            "unregistered:openai-codex",
            "model-name",
        ),
        (
            "Fix\n\nCo-authored-by: provider/model-4.5 <noreply@opencode.ai>\n",
            PERSON,
            "unregistered:opencode",
            "model-name",
        ),
        (
            "Fix\n\nCo-authored-by: Composer <noreply@cursor.com>\n",
            PERSON,
            "unregistered:cursor",
            "",
        ),  # the catalogue knows the vendor domain
        (
            "Fix\n\nCo-authored-by: Builder <noreply@ampcode.com>\n",
            PERSON,
            "unregistered:builder",
            "vendor-mailbox",
        ),
        (
            "Fix\n\nCo-authored-by: helper-agent[bot]"
            " <9+helper-agent[bot]@users.noreply.github.com>",
            PERSON,
            "unregistered:helper-agent",
            "bot-account",
        ),
        ("Fix\n", ("Pat Developer (aider)", "pat@example.com"), "unregistered:aider", ""),
        (
            "Fix\n",
            ("Pat (Agent) Developer", "pat@example.com"),
            "unregistered:pat-agent-developer",
            "agent-marker",
        ),
        (
            "chore: release\n",
            ("acme-release-bot", "bot@acme.example"),
            "unregistered:acme-release-bot",
            "bot-account",
        ),
        (
            "Fix\n\n## AI disclosure\n\nQuill drafted this; I reviewed every line.\n",
            PERSON,
            "unregistered:ai-disclosed",
            "ai-disclosure",
        ),
        (
            "Fix\n\n**AI usage:** Claude wrote the tests.\n",
            PERSON,
            "unregistered:claude-code",
            "ai-disclosure",
        ),
        # a no-reply co-author is a tool, wherever its vendor
        (
            "Fix\n\nCo-authored-by: Quillbot Pro <noreply@quillbot.tools>\n",
            PERSON,
            "unregistered:quillbot-pro",
            "role-mailbox",
        ),
        # a footer line right above the trailers it belongs with
        (
            "Fix\n\n🤖 Generated with Quillcode\nCo-Authored-By: Quillcode <hello@quill.example>\n",
            PERSON,
            "unregistered:quillcode",
            "self-declaration",
        ),
        # a ticked box of a pull request template, with or without a label before its sentence
        (
            "Fix\n\n## Agent\n\n- [x] Agent Mode - This PR was created via Quill's Agent Mode\n",
            PERSON,
            "unregistered:quill-agent-mode",
            "self-declaration",
        ),
        (
            "Fix\n\n- [X] This PR was generated with Quillcode\n",
            PERSON,
            "unregistered:quillcode",
            "",
        ),
        # Markdown emphasis closed after the full stop
        (
            "Fix\n\n_This PR was created by [Quill](https://quill.example) (running a model)._\n",
            PERSON,
            "unregistered:quill",
            "self-declaration",
        ),
        # an identity at an AI vendor named as the vendor itself
        (
            "Fix\n\nCo-authored-by: Kilo Code <kc-cloud@kilocode.ai>\n",
            PERSON,
            "unregistered:kilo-code",
            "vendor-mailbox",
        ),
    ],
)
def test_principles(message: str, author: tuple[str, str], want: str, rule: str) -> None:
    a = attr(message, author)
    assert want in ids(a), a.evidence
    assert a.kind in (AttributionKind.AGENT, AttributionKind.BOT)
    if rule:
        assert any(f"(rule {rule})" in e.detail for e in a.evidence), a.evidence


def test_bot_accounts_are_bots_unless_named_as_ai() -> None:
    plain = attr(
        "Fix\n\nCo-authored-by: deploy-helper[bot] <1+deploy-helper[bot]@users.noreply.github.com>"
    )
    assert plain.kind is AttributionKind.BOT
    assert plain.co_authors == ()  # a bot is not a human co-author who could approve
    ai = attr("Fix\n", ("autofix-ai[bot]", "2+autofix-ai[bot]@users.noreply.github.com"))
    assert ai.kind is AttributionKind.AGENT
    # named after an AI vendor (tabnine.com), or at an AI vendor's domain: that vendor's agent
    vendor = attr("Fix\n", ("tabnine-cloud[bot]", "5+tabnine-cloud[bot]@users.noreply.github.com"))
    assert vendor.kind is AttributionKind.AGENT
    mailbox = attr("Fix\n\nCo-authored-by: Tabnine Bot <bot@tabnine.com>\n")
    assert mailbox.kind is AttributionKind.AGENT
    # a label too short to name a vendor (x of x.ai) is not one
    other = attr("Fix\n", ("x-release[bot]", "6+x-release[bot]@users.noreply.github.com"))
    assert other.kind is AttributionKind.BOT
    # an AI vendor's bot named for a chore is that vendor's automation
    chore = attr(
        "Fix\n", ("tabnine-repo-sync[bot]", "9+tabnine-repo-sync[bot]@users.noreply.github.com")
    )
    assert chore.kind is AttributionKind.BOT


# --- what stays a person --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "author"),
    [
        ("Fix\n\nCo-authored-by: Claude Monet <claude@monet.example>\n", PERSON),
        ("Fix\n", ("Devin Smith", "devin@example.com")),
        ("Fix\n", ("Jules Verne", "jules@example.com")),
        ("Fix\n\nCo-authored-by: Jules Verne <jules@example.com>\n", PERSON),
        ("Fix\n\nCo-authored-by: Dana Staff <dana@anthropic.com>\n", PERSON),  # vendor staff
        ("Fix\n", ("Alex (Al) Rivera", "alex@example.com")),  # a nickname, not a tool
        ("Fix\n", ("Robin", "robin@ampcode.com")),  # a person at an AI vendor
        ("Fix\n\nGenerated with some plain logic:\n\n    for x in y\n", PERSON),
        (
            "Fix\n\nAdd options for the\nGenerated with Starling line, including its defaults.\n",
            PERSON,
        ),
        ("Fix\n\nBut this file was generated by Xcode in the first place.\n", PERSON),
        ("Fix\n\nThe format is:\n\n    Assisted-by: AGENT_NAME:MODEL_VERSION\n", PERSON),
        ("Fix\n\n### AI Disclosure\n\nNo AI was used.\n", PERSON),
        ("Fix\n\nAI disclosure: none\n", PERSON),
        ('Fix\n\n<a href="https://review.example/x">Open in the AI review tool</a>\n', PERSON),
        # placeholder and GitHub addresses are nobody's role mailbox; a personal domain is a person
        ("Fix\n\nCo-authored-by: Chris Person <noreply@example.com>\n", PERSON),
        ("Fix\n\nCo-authored-by: Sam Tester <no-reply@ci.test>\n", PERSON),
        ("Fix\n\nCo-authored-by: GitHub <noreply@github.com>\n", PERSON),
        ("Fix\n\nCo-authored-by: Bruno Bergher <me@brunobergher.com>\n", PERSON),
        ("Fix\n", ("Noreply Person", "noreply@person.example.org")),  # only co-authors
        ("Fix\n", ("GitHub", "noreply@github.com")),
        ("Fix\n\nMore notes on the\nGenerated with Starling line.\n", PERSON),
        # an unticked box declares nothing; a ticked box that declares nothing neither
        ("Fix\n\n- [ ] This PR was created by Quill Agent Mode\n", PERSON),
        ("Fix\n\n- [ ] Agent Mode - This PR was created via Quill's Agent Mode\n", PERSON),
        ("Fix\n\n- [x] Tests pass\n- [x] Docs updated\n", PERSON),
    ],
)
def test_people_and_prose_stay_unverified(message: str, author: tuple[str, str]) -> None:
    a = attr(message, author)
    assert a.kind is AttributionKind.UNVERIFIED, a.evidence


def test_human_co_author_is_kept_for_the_approver_rules() -> None:
    a = attr("Fix\n\nCo-authored-by: Claude Monet <claude@monet.example>\n")
    assert a.co_authors == ("claude@monet.example",)


def test_asserted_only_until_something_is_witnessed() -> None:
    a = attr("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n")
    assert a.kind is AttributionKind.AGENT and a.asserted_only


def test_cached_attribution_equals_the_plain_one() -> None:
    """The attributor's cache (keyed by identity and what the message says) changes nothing."""
    cache = Attributor(NO_REGISTRY, Signers())
    messages = [
        "Fix\n\n🤖 Generated with [quillcode](https://quill.example)\n",
        "Fix 2\n\n🤖 Generated with [quillcode](https://quill.example)\n",
        "Fix\n\nCo-authored-by: A <a@example.com>\n",
        "Fix\n\nCo-authored-by: B <b@example.com>\n",
        "plain\n",
    ]
    for n, msg in enumerate(messages):
        c = commit(msg)._replace(sha=f"{n:040x}")
        keyed = cache.keyed(c.sha, (PERSON, PERSON), msg, lambda: c)  # noqa: B023
        assert keyed == attribute(c, NO_REGISTRY, Signers())
