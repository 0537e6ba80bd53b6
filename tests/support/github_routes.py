"""The operations the GitHub double answers (see github_double for the checks around them)."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from github_double import GitHubDouble, error, example

Answer = tuple[int, bytes, dict[str, str]]
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ROUTES = [
    ("get", re.compile(_REPO + r"/pulls$"), "pulls/list"),
    ("get", re.compile(_REPO + r"/pulls/(?P<n>\d+)$"), "pulls/get"),
    ("get", re.compile(_REPO + r"/pulls/(?P<n>\d+)/reviews$"), "pulls/list-reviews"),
    ("get", re.compile(_REPO + r"/issues/(?P<n>\d+)/comments$"), "issues/list-comments"),
    ("post", re.compile(_REPO + r"/issues/(?P<n>\d+)/comments$"), "issues/create-comment"),
    ("patch", re.compile(_REPO + r"/issues/comments/(?P<n>\d+)$"), "issues/update-comment"),
    ("post", re.compile(_REPO + r"/check-runs$"), "checks/create"),
    ("patch", re.compile(_REPO + r"/check-runs/(?P<n>\d+)$"), "checks/update"),
    (
        "post",
        re.compile(r"/app/installations/(?P<n>\d+)/access_tokens$"),
        "apps/create-installation-access-token",
    ),
]


def _json(status: int, doc: Any, headers: dict[str, str] | None = None) -> Answer:
    return status, json.dumps(doc).encode(), headers or {}


def _page(d: GitHubDouble, req: Any, items: list[Any]) -> Answer:
    """GitHub's page/per_page pagination, with the Link header it sends."""
    q = dict(req.parameters.query.to_dict())
    per = int(q.get("per_page", 30))
    page = int(q.get("page", 1))
    chunk = items[(page - 1) * per : page * per]
    last = max(1, -(-len(items) // per))
    links = []
    if page < last:
        nxt = urlencode({**q, "page": page + 1})
        end = urlencode({**q, "page": last})
        links = [f'<{d.url}{req.path}?{nxt}>; rel="next"', f'<{d.url}{req.path}?{end}>; rel="last"']
    return _json(200, chunk, {"Link": ", ".join(links)} if links else {})


def route(d: GitHubDouble, req: Any, headers: Any, body: Any) -> Answer:
    for method, pattern, op in ROUTES:
        m = pattern.match(req.path)
        if m is None or method != req.method:
            continue
        with d.lock:
            d.calls.append((op, req.path))
        if op in d.fail:
            return error(d.fail[op], f"{op} failed (the test asked for it)")
        args = m.groupdict()
        if op.startswith("apps/"):
            return _token(d, headers, int(args["n"]))
        repo = f"{args['owner']}/{args['repo']}"
        if not d.repo_token(headers, repo):
            return error(401, "Bad credentials")
        with d.lock:
            answer = _repo_op(d, op, req, repo, args.get("n"), body)
            held = d.holds.pop(op, None)
        if held is not None:
            held.wait()
        return answer
    return error(404, "Not Found")


def _repo_op(d: GitHubDouble, op: str, req: Any, repo: str, n: str | None, body: Any) -> Answer:
    number = int(n) if n else 0
    if op == "pulls/list":
        items = []
        for (r, _), pr in sorted(d.pulls.items()):
            if r == repo and pr["state"] == "open":
                item = example("pull-request-simple-items")[0]
                for key in ("number", "state", "html_url", "url", "user", "base", "head"):
                    item[key] = pr[key]
                items.append(item)
        return _page(d, req, items)
    if op in ("pulls/get", "pulls/list-reviews") and (repo, number) not in d.pulls:
        return error(404, "Not Found")
    if op == "pulls/get":
        return _json(200, d.pulls[(repo, number)])
    if op == "pulls/list-reviews":
        return _page(d, req, d.reviews.get((repo, number), []))
    if op == "issues/list-comments":
        return _page(d, req, d.comments.get((repo, number), []))
    if op == "issues/create-comment":
        c = _comment(d, repo, number, body["body"])
        d.comments.setdefault((repo, number), []).append(c)
        return _json(201, c)
    if op == "issues/update-comment":
        for items in d.comments.values():
            for c in items:
                if c["id"] == number:
                    c["body"] = body["body"]
                    c["updated_at"] = _now()
                    return _json(200, c)
        return error(404, "Not Found")
    if op == "checks/create":
        rid = d.next_id()
        d.check_runs.setdefault(repo, {})[rid] = _sent(body, {})
        return _json(201, _check_run(rid, d.check_runs[repo][rid]))
    if op == "checks/update":
        runs = d.check_runs.get(repo, {})
        if number not in runs:
            return error(404, "Not Found")
        runs[number] = _sent(body, runs[number])
        return _json(200, _check_run(number, runs[number]))
    return error(404, "Not Found")


def _comment(d: GitHubDouble, repo: str, number: int, text: str) -> dict[str, Any]:
    c: dict[str, Any] = example("issue-comment")
    cid = d.next_id()
    c.update(id=cid, node_id=f"IC_{cid}", body=text, created_at=_now(), updated_at=_now())
    c["html_url"] = f"https://github.com/{repo}/pull/{number}#issuecomment-{cid}"
    c["user"].update(login="github-actions[bot]", type="Bot")
    return c


def _sent(body: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What was sent for a check run so far; annotations add up, as GitHub's do."""
    merged = {**before, **body}
    out = {**before.get("output", {}), **body.get("output", {})}
    out["annotations"] = [
        *before.get("output", {}).get("annotations", []),
        *body.get("output", {}).get("annotations", []),
    ]
    merged["output"] = out
    return merged


def _check_run(rid: int, sent: dict[str, Any]) -> dict[str, Any]:
    run: dict[str, Any] = example("check-run")
    run.update(
        id=rid,
        name=sent["name"],
        head_sha=sent["head_sha"],
        status=sent.get("status", "queued"),
        conclusion=sent.get("conclusion"),
        details_url=sent.get("details_url"),
        external_id=sent.get("external_id"),
    )
    out = sent.get("output") or {}
    run["output"].update(
        title=out.get("title"),
        summary=out.get("summary"),
        text=out.get("text"),
        annotations_count=len(out.get("annotations", [])),
    )
    return run


def _token(d: GitHubDouble, headers: Any, installation: int) -> Answer:
    if not d.app_jwt(headers):
        return error(401, "A JSON web token could not be decoded")
    if installation not in d.installations:
        return error(404, "Not Found")
    tok = example("installation-token")
    token = "ghs_" + secrets.token_hex(18)
    d.tokens[token] = d.installations[installation]
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    tok.update(token=token, expires_at=expires.strftime("%Y-%m-%dT%H:%M:%SZ"))
    tok.pop("repositories", None)
    return _json(201, tok)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
