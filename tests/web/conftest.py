"""A small real case for the workbench tests: bilingual documents written here, accounts of every
role, one restricted witness statement, and a hostile archived page."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

import organwatch
from organwatch.case import Case
from organwatch.web.accounts import add_user
from organwatch.web.app import create_app
from organwatch.web.services import restrict

PASSWORD = "correct horse battery"
SECRET_WORD = "Zephyrine"  # appears only in the restricted statement

DOCUMENTS = {
    "zh/wang-lijun.html": (
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>王立军案 审判消息</title></head><body>"
        "<h1>王立军案 审判消息</h1><p>2012年9月，成都市中级人民法院审理了王立军案。王立军曾任重庆市公安局局长，"
        "并主持锦州市公安局现场心理研究中心。</p><p>报道称，该中心进行过器官移植相关的研究。</p></body></html>"),
    "en/tribunal.html": (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Tribunal judgment reported</title>"
        "</head><body><h1>Tribunal judgment reported</h1><p>On 17 June 2019 the China Tribunal in London "
        "published its judgment on forced organ harvesting. Wang Lijun was mentioned as a former police chief "
        "in Jinzhou.</p><p>The tribunal heard from witnesses over several days.</p></body></html>"),
    "en/hostile.html": (
        "<!doctype html><html><head><meta charset='utf-8'><title>Hospital page with traps</title>"
        "<style>body{background:url(http://HOST/css-bg)} @import url('http://HOST/css-import');</style>"
        "<script src='http://HOST/script-src'></script>"
        "<script>fetch('http://HOST/inline-fetch'); document.title='pwned';</script>"
        "<link rel='stylesheet' href='http://HOST/link-css'></head><body>"
        "<h1>Liver transplant centre</h1><p>Waiting time: one to two weeks for a liver.</p>"
        "<img src='http://HOST/img' onerror=\"fetch('http://HOST/onerror')\">"
        "<a href=\"javascript:fetch('http://HOST/js-link')\">book now</a>"
        "<div style=\"background-image:url('http://HOST/inline-style')\">styled</div>"
        "<iframe src='http://HOST/iframe'></iframe><object data='http://HOST/object'></object>"
        "<svg><image href='http://HOST/svg-image'/></svg><video src='http://HOST/video'></video>"
        "<form action='http://HOST/form'><input name=x></form>"
        "<meta http-equiv='refresh' content='0;url=http://HOST/refresh'>"
        "</body></html>"),
    "witness/statement.txt": (
        f"Witness statement. The witness, known here as {SECRET_WORD}, described a blood test in detention "
        "and a transfer to a hospital in 2005. 证人描述了拘留期间的验血。\n"),
}


@dataclass
class Workbench:
    """The test case, its app, and the ids the tests need."""

    case: Case
    docs: dict[str, int]
    captures: dict[str, str]
    trap_host: str

    url: str = ""
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        """A fresh browser-like client (its own cookies) of the running server; closed at teardown."""
        made = httpx.Client(base_url=self.url, timeout=60.0)
        self.clients.append(made)
        return made

    def close(self) -> None:
        for made in self.clients:
            made.close()
        self.clients.clear()


class Server:
    """The workbench app served by uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, case: Case, **options: int) -> None:
        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(create_app(case, **options), host="127.0.0.1", port=self.port, log_level="error",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the workbench server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def write_documents(root: Path, trap_host: str) -> None:
    for name, text in DOCUMENTS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("HOST", trap_host), encoding="utf-8")


def build_case(folder: Path, trap_host: str = "127.0.0.1:9") -> Workbench:
    case = organwatch.init_case(folder / "case", name="workbench test case")
    sources = folder / "sources"
    write_documents(sources, trap_host)
    case.add([sources], text=True, extract=True)
    docs: dict[str, int] = {}
    captures: dict[str, str] = {}
    for document in case.documents():
        name = next(o.original_path or o.original_name for o in case.capture(document.capture_id).observations)
        key = next(k for k in DOCUMENTS if str(name).endswith(k.split("/")[-1]))
        docs[key] = document.id
        captures[key] = document.capture_id
    for name, role in (("admin", "admin"), ("alice", "investigator"), ("rita", "reviewer"), ("vic", "viewer"),
                       ("wendy", "viewer")):
        add_user(case, name, role, PASSWORD)
    restrict(case, "admin", str(docs["witness/statement.txt"]), "alice,user:wendy")
    return Workbench(case, docs, captures, trap_host)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    made = build_case(tmp_path_factory.mktemp("web"))
    with Server(made.case) as server:
        made.url = server.url
        yield made
        made.close()
    made.case.store.close()


def csrf_of(client: httpx.Client) -> str:
    """The CSRF token the server gave this client (from a page's hidden field)."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:300]
    return match.group(1)


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Client:
    token = csrf_of(client)
    response = client.post("/login", data={"username": name, "password": password, "csrf_token": token,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client


def page_token(client: httpx.Client, path: str = "/") -> str:
    """The CSRF token embedded in a signed-in page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)
