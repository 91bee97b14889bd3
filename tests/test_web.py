"""Web apps under ``python -m hotswap run``: a real server on 127.0.0.1, real HTTP requests.

Each test starts the framework's own server under the runner, edits the app's file as a user
would (route body, parameters, a new route, a path renamed, a route deleted) and, after the
runner says it reloaded, checks every route against a *fresh start* of the same files (the same
server started with plain ``python``, no hotswap): same status and body, except the counter the
live server keeps in memory, which must have survived every save.

Servers listen on port 0 and the test reads the port they print, so no port is ever guessed.
"""

from __future__ import annotations

import http.client
import importlib
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import hotswap
from _running import TIMEOUT, Running
from conftest import Workspace

pytestmark = pytest.mark.slow

_PORT = re.compile(r"http://127\.0\.0\.1:(\d+)")


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


class Server:
    """A server process and the port it printed."""

    def __init__(self, process: Running, port: int) -> None:
        self.process = process
        self.port = port

    def get(self, path: str) -> tuple[int, str]:
        return _get(self.port, path)


def _started(process: Running) -> Server:
    line = process.wait("err", lambda text: _PORT.search(text) is not None)
    match = _PORT.search(line)
    assert match is not None
    return Server(process, int(match.group(1)))


class _Plain(Running):
    """The same server started with plain ``python`` (the fresh-start oracle)."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "HOTSWAP_POLL"}
        env.update(NO_COLOR="1", PYTHONPATH=str(cwd))
        self.proc = subprocess.Popen(
            [sys.executable, *args], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        self._setup_queues()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Running] = []

    def start(*args: str, hotswap: bool = True) -> Server:
        process = Running(list(args), tmp_path) if hotswap else _Plain(list(args), tmp_path)
        started.append(process)
        return _started(process)

    yield start
    for process in started:
        process.kill()


def _save(path: Path, text: str) -> None:
    stamp = path.stat().st_mtime_ns + 2_000_000_000 if path.exists() else None
    path.write_text(textwrap.dedent(text))
    if stamp is not None:
        os.utime(path, ns=(stamp, stamp))


def _same_as_fresh(
    live: Server, start: Callable[..., Server], args: tuple[str, ...], paths: list[str]
) -> dict[str, tuple[int, str]]:
    """Every path answered by ``live`` and by a fresh start of the files; returns live's."""
    fresh = start(*args, hotswap=False)
    try:
        answers = {path: live.get(path) for path in paths}
        for path, (status, body) in answers.items():
            expected_status, expected_body = fresh.get(path)
            assert status == expected_status, (path, status, body, expected_body)
            if status == 200 and '"n"' not in body and "n=" not in body:
                assert body == expected_body, (path, body, expected_body)
    finally:
        fresh.process.kill()
    return answers


# -- FastAPI -------------------------------------------------------------------------------------

FASTAPI_V1 = """
from fastapi import FastAPI

app = FastAPI()
COUNT = {"n": 0}


@app.get("/hello")
def hello(name: str = "world"):
    COUNT["n"] += 1
    return {"msg": f"hello {name}", "n": COUNT["n"]}


@app.get("/bye")
def bye():
    return "bye"
"""

FASTAPI_V2 = """
from fastapi import FastAPI

app = FastAPI()
COUNT = {"n": 0}


@app.get("/hello")
def hello(name: str = "world", loud: bool = False):
    COUNT["n"] += 1
    msg = f"hello {name}"
    return {"msg": msg.upper() if loud else msg, "n": COUNT["n"]}


@app.get("/bye")
def bye():
    return "bye"


@app.get("/items/{item_id}")
def item(item_id: int):
    return {"item": item_id * 2}
"""

FASTAPI_V3 = """
from fastapi import FastAPI

app = FastAPI()
COUNT = {"n": 0}


@app.get("/hi")
def hello(name: str = "world", loud: bool = False):
    COUNT["n"] += 1
    msg = f"hi {name}"
    return {"msg": msg.upper() if loud else msg, "n": COUNT["n"]}


@app.get("/items/{item_id}")
def item(item_id: int):
    return {"item": item_id * 2}
"""


def test_fastapi_routes_follow_every_save_and_the_counter_survives(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """Under `hotswap run -m uvicorn app:app`: a parameter added to a route is honoured (FastAPI
    made the route again), a new route answers, a renamed path serves only the new path, a
    deleted route is gone, and `/openapi.json` lists what a fresh start lists; the in-memory
    counter keeps counting through every save."""
    app = tmp_path / "webapp_fa.py"
    _save(app, FASTAPI_V1)
    args = ("-m", "uvicorn", "webapp_fa:app", "--host", "127.0.0.1", "--port", "0")
    live = serve(*args)
    assert json.loads(live.get("/hello?name=a")[1]) == {"msg": "hello a", "n": 1}

    _save(app, FASTAPI_V2)
    live.process.wait("err", lambda line: "hotswap: reloaded webapp_fa" in line)
    paths = ["/hello?name=a&loud=true", "/bye", "/items/21", "/items/x", "/openapi.json"]
    answers = _same_as_fresh(live, serve, args, paths)
    assert json.loads(answers["/hello?name=a&loud=true"][1]) == {"msg": "HELLO A", "n": 2}

    _save(app, FASTAPI_V3)
    live.process.wait("err", lambda line: "hotswap: reloaded webapp_fa" in line)
    paths = ["/hi?name=b", "/hello", "/bye", "/items/2", "/openapi.json"]
    answers = _same_as_fresh(live, serve, args, paths)
    assert json.loads(answers["/hi?name=b"][1]) == {"msg": "hi b", "n": 3}
    assert answers["/hello"][0] == answers["/bye"][0] == 404
    assert sorted(json.loads(answers["/openapi.json"][1])["paths"]) == ["/hi", "/items/{item_id}"]


# -- Flask ---------------------------------------------------------------------------------------

FLASK_V1 = """
from flask import Flask

app = Flask(__name__)
COUNT = {"n": 0}


@app.route("/hello")
def hello():
    COUNT["n"] += 1
    return f"hello n={COUNT['n']}"
"""

FLASK_V2 = """
from flask import Flask

app = Flask(__name__)
COUNT = {"n": 0}


@app.route("/hello")
def hello():
    COUNT["n"] += 1
    return f"hello again n={COUNT['n']}"


@app.route("/bye")
def bye():
    return "bye"
"""

FLASK_V3 = """
from flask import Flask

app = Flask(__name__)
COUNT = {"n": 0}


@app.route("/hi")
def hello():
    COUNT["n"] += 1
    return f"hi n={COUNT['n']}"


@app.route("/bye")
def bye():
    return "bye bye"
"""

FLASK_V4 = """
from flask import Flask

app = Flask(__name__)
COUNT = {"n": 0}


@app.route("/hi")
def hello():
    COUNT["n"] += 1
    return f"hi n={COUNT['n']}"
"""


def test_flask_routes_follow_every_save_after_the_first_request(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """Under `hotswap run -m flask run` (Flask's reloader off), after requests were served: a
    route added, a body edited, a path renamed and a route deleted all answer as a fresh start
    does (Flask would otherwise refuse `@app.route` after the first request), and the counter
    survives."""
    app = tmp_path / "webapp_fl.py"
    _save(app, FLASK_V1)
    args = ("-m", "flask", "--app", "webapp_fl", "run", "--host", "127.0.0.1", "--port", "0")
    live = serve(*args)
    assert live.get("/hello") == (200, "hello n=1")

    for version, paths, counted in (
        (FLASK_V2, ["/hello", "/bye"], ("/hello", "hello again n=2")),
        (FLASK_V3, ["/hi", "/hello", "/bye"], ("/hi", "hi n=3")),
        (FLASK_V4, ["/hi", "/bye", "/hello"], ("/hi", "hi n=4")),
    ):
        _save(app, version)
        live.process.wait("err", lambda line: "hotswap: reloaded webapp_fl" in line)
        answers = _same_as_fresh(live, serve, args, paths)
        assert answers[counted[0]] == (200, counted[1])
    assert live.get("/bye")[0] == 404


def test_flask_factory_app_serves_routes_added_to_its_blueprint(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """`hotswap run -m flask --app shopfac_fl:create_app run`: the app exists only inside the
    server (no module holds it), its blueprint in its own module; after requests were served, a
    route added to the blueprint and a route's path changed answer as a fresh start does, under
    the prefix the factory registered."""
    views = tmp_path / "shopfac_views_fl.py"
    _save(views, """
        from flask import Blueprint
        bp = Blueprint("shop", __name__)
        @bp.route("/items")
        def items():
            return "items"
    """)
    _save(tmp_path / "shopfac_fl.py", """
        from flask import Flask
        def create_app():
            from shopfac_views_fl import bp
            app = Flask(__name__)
            app.register_blueprint(bp, url_prefix="/api")
            return app
    """)
    args = ("-m", "flask", "--app", "shopfac_fl:create_app", "run", "--host", "127.0.0.1",
            "--port", "0")
    live = serve(*args)
    assert live.get("/api/items") == (200, "items")
    _save(views, """
        from flask import Blueprint
        bp = Blueprint("shop", __name__)
        @bp.route("/things")
        def items():
            return "items"
        @bp.route("/more")
        def more():
            return "more"
    """)
    line = live.process.wait("err", lambda line: "hotswap: reloaded shopfac_views_fl" in line)
    assert "restart" not in line
    answers = _same_as_fresh(live, serve, args, ["/api/items", "/api/things", "/api/more"])
    assert answers == {
        "/api/items": (404, answers["/api/items"][1]),
        "/api/things": (200, "items"),
        "/api/more": (200, "more"),
    }


# -- Django --------------------------------------------------------------------------------------

_DJANGO_FILES = {
    "manage.py": """
        import os, sys
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_hs.settings")
        from django.core.management import execute_from_command_line
        execute_from_command_line(sys.argv)
    """,
    "site_hs/__init__.py": "",
    "site_hs/settings.py": """
        SECRET_KEY = "test-only"
        DEBUG = True
        ALLOWED_HOSTS = ["127.0.0.1"]
        ROOT_URLCONF = "site_hs.urls"
        INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop_hs"]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
        USE_TZ = True
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "site_hs/urls.py": """
        from django.urls import path
        from shop_hs import views
        urlpatterns = [path("hello/", views.hello)]
    """,
    "shop_hs/__init__.py": "",
    "shop_hs/models.py": """
        from django.db import models
        class Book(models.Model):
            title = models.CharField(max_length=20)
            def label(self):
                return self.title.upper()
    """,
    "shop_hs/views.py": """
        from django.http import HttpResponse
        from shop_hs.models import Book
        COUNT = {"n": 0}
        def hello(request):
            COUNT["n"] += 1
            return HttpResponse(f"hello {Book(title='b').label()} n={COUNT['n']}")
    """,
}
DJANGO_FILES = {path: textwrap.dedent(text) for path, text in _DJANGO_FILES.items()}


def _django_server(
    start: Callable[..., Server], tmp_path: Path, *, hotswap: bool = True
) -> tuple[Server, tuple[str, ...]]:
    """``manage.py runserver`` on a free port (Django prints the port it was asked for, not the
    one it got, so the test picks one; a port taken meanwhile is answered by trying another)."""
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        args = ("manage.py", "runserver", f"127.0.0.1:{port}", "--noreload")
        process = Running(list(args), tmp_path) if hotswap else _Plain(list(args), tmp_path)
        line = process.wait("out", lambda text: "development server at http" in text)
        if str(port) in line:
            return Server(process, port), args
        process.kill()
    raise AssertionError("no free port for runserver")


def test_django_views_urls_and_a_refused_model_field_change(tmp_path: Path) -> None:
    """Under `hotswap run manage.py runserver --noreload`: a view body edited, a view added and
    routed, a path renamed: every URL answers as a fresh start does, the counter survives. A
    model field added cannot be applied to a running process: the save is rolled back with one
    message saying to migrate and restart, and the server keeps serving."""
    for relpath, text in DJANGO_FILES.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        _save(tmp_path / relpath, text)
    started: list[Running] = []

    def start(*args: str, hotswap: bool = True) -> Server:
        server, _ = _django_server(start, tmp_path, hotswap=hotswap)
        started.append(server.process)
        return server

    try:
        live = start()
        assert live.get("/hello/") == (200, "hello B n=1")
        _save(tmp_path / "shop_hs/views.py", DJANGO_FILES["shop_hs/views.py"].replace(
            'f"hello {', 'f"hi {') + "\ndef bye(request):\n    return HttpResponse('bye')\n")
        live.process.wait("err", lambda line: "hotswap: reloaded shop_hs.views" in line)
        _save(tmp_path / "site_hs/urls.py", DJANGO_FILES["site_hs/urls.py"].replace(
            '[path("hello/", views.hello)]',
            '[path("hi/", views.hello), path("bye/", views.bye)]'))
        live.process.wait("err", lambda line: "hotswap: reloaded site_hs.urls" in line)
        answers = _same_as_fresh(live, start, (), ["/hi/", "/bye/", "/hello/"])
        assert answers["/bye/"] == (200, "bye")
        assert live.get("/hi/") == (200, "hi B n=3")

        _save(tmp_path / "shop_hs/models.py", DJANGO_FILES["shop_hs/models.py"].replace(
            "title = models.CharField(max_length=20)",
            "title = models.CharField(max_length=20)\n    pages = models.IntegerField(default=0)"))
        live.process.wait("err", lambda line: "hotswap: reloading shop_hs.models failed" in line)
        message = live.process.wait("err", lambda line: "Django integration failed" in line)
        assert "Book: field 'pages' added" in message and "makemigrations" in message
        assert live.get("/hi/") == (200, "hi B n=4")
    finally:
        for process in started:
            process.kill()


def test_django_admin_registration_that_runs_again_replaces_the_old_one(tmp_path: Path) -> None:
    """`admin.site.register(Book, BookAdmin)` changed to another admin class in a save: the
    model is registered with the new class (Django alone raises AlreadyRegistered), and the
    rest of the registry is untouched."""
    files = {
        "shopadm_hs/__init__.py": "",
        "shopadm_hs/models.py": (
            "from django.db import models\n"
            "class Book(models.Model):\n    title = models.CharField(max_length=20)\n"
            "class Shelf(models.Model):\n    name = models.CharField(max_length=20)\n"
        ),
        "shopadm_hs/admin.py": (
            "from django.contrib import admin\nfrom shopadm_hs.models import Book, Shelf\n"
            "class BookAdmin(admin.ModelAdmin):\n    list_display = ['title']\n"
            "admin.site.register(Shelf)\nadmin.site.register(Book, BookAdmin)\n"
        ),
    }
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text)
    script = textwrap.dedent(
        """
        import os, django
        from django.conf import settings
        settings.configure(
            INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth",
                            "django.contrib.contenttypes", "django.contrib.messages",
                            "django.contrib.sessions", "shopadm_hs"],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            DEFAULT_AUTO_FIELD="django.db.models.AutoField", SECRET_KEY="x")
        import hotswap
        r = hotswap.Reloader()
        django.setup()
        from django.contrib import admin
        import shopadm_hs.admin as a
        from shopadm_hs.models import Book, Shelf
        shelf_admin = admin.site._registry[Shelf]
        path = a.__file__
        t = os.stat(path).st_mtime_ns + 2_000_000_000
        text = open(path).read().replace(
            "admin.site.register(Book, BookAdmin)",
            "class Wide(admin.ModelAdmin):\\n    list_display = ['id', 'title']\\n"
            "admin.site.register(Book, Wide)")
        open(path, "w").write(text)
        os.utime(path, ns=(t, t))
        print(r.check())
        print(type(admin.site._registry[Book]).__name__, admin.site._registry[Shelf] is shelf_admin)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        timeout=TIMEOUT, check=False, env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("hotswap: reloaded shopadm_hs.admin"), done.stdout
    assert lines[-1] == "Wide True"


TAGS = """
from django import template
register = template.Library()
@register.filter
def shout(value):
    return str(value).upper() + "{mark}"
{more}
"""

TAGS_SCRIPT = """
import json, os, django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["tagsapp_hs"],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
)
import hotswap
r = hotswap.Reloader()
django.setup()
from django.template import engines
engine = engines["django"]

def render(text):
    try:
        return engine.from_string("{% load shop_tags %}" + text).render({"x": "hi"})
    except Exception as exc:
        return type(exc).__name__

held = engine.from_string("{% load shop_tags %}{{ x|shout }}")  # compiled before any save
path = "tagsapp_hs/templatetags/shop_tags.py"
t = os.stat(path).st_mtime_ns
out = {}
for step, text in enumerate(json.loads(os.environ["SAVES"])):
    t += 2_000_000_000
    with open(path, "w") as f:
        f.write(text)
    os.utime(path, ns=(t, t))
    report = r.check()
    out[step] = {
        "ok": report.ok,
        "held": held.render({"x": "hi"}),
        "shout": render("{{ x|shout }}"),
        "whisper": render("{{ x|whisper }}"),
        "stamp": render("{% stamp %}"),
    }
print(json.dumps(out))
"""


def test_django_template_tags_and_filters_follow_saves(tmp_path: Path) -> None:
    """A template tag library (``{% load shop_tags %}``): a filter body edit reaches templates
    compiled before the save and after it; a filter and a ``simple_tag`` added are usable at
    once; a filter renamed is gone under its old name, as in a fresh start (a template using it
    fails to compile: ``TemplateSyntaxError``)."""
    files = {
        "tagsapp_hs/__init__.py": "",
        "tagsapp_hs/templatetags/__init__.py": "",
        "tagsapp_hs/templatetags/shop_tags.py": TAGS.format(mark="!", more=""),
    }
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text)
    added = (
        "@register.filter\ndef whisper(value):\n    return str(value).lower() + '...'\n"
        "@register.simple_tag\ndef stamp():\n    return 'v2'\n"
    )
    saves = [
        TAGS.format(mark="!!", more=""),
        TAGS.format(mark="!!", more=added),
        TAGS.format(mark="!!", more=added).replace("def shout", "def yell"),
    ]
    done = subprocess.run(
        [sys.executable, "-c", TAGS_SCRIPT], cwd=tmp_path, capture_output=True, text=True,
        timeout=TIMEOUT, check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "SAVES": json.dumps(saves)},
    )
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout.splitlines()[-1])
    assert steps["0"] == {
        "ok": True, "held": "HI!!", "shout": "HI!!",
        "whisper": "TemplateSyntaxError", "stamp": "TemplateSyntaxError",
    }
    assert steps["1"] == {
        "ok": True, "held": "HI!!", "shout": "HI!!", "whisper": "hi...", "stamp": "v2",
    }
    assert steps["2"]["ok"] and steps["2"]["shout"] == "TemplateSyntaxError"
    assert steps["2"]["whisper"] == "hi..." and steps["2"]["stamp"] == "v2"


def test_fastapi_app_made_by_a_factory_follows_its_routers(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """`uvicorn --factory factory_hs:create_app`: the application exists only inside the
    server, built from a router in another module; a parameter added there and a route added
    answer as a fresh start, `/openapi.json` included."""
    routes = tmp_path / "routes_hs.py"
    _save(routes, """
        from fastapi import APIRouter
        router = APIRouter()
        @router.get("/items")
        def items(limit: int = 1):
            return list(range(limit))
    """)
    _save(tmp_path / "factory_hs.py", """
        from fastapi import FastAPI
        import routes_hs
        def create_app():
            app = FastAPI()
            app.include_router(routes_hs.router, prefix="/api")
            return app
    """)
    args = ("-m", "uvicorn", "factory_hs:create_app", "--factory", "--host", "127.0.0.1",
            "--port", "0")
    live = serve(*args)
    assert live.get("/api/items?limit=2") == (200, "[0,1]")
    assert '"/api/items"' in live.get("/openapi.json")[1]  # the schema is cached from now on
    _save(routes, """
        from fastapi import APIRouter
        router = APIRouter()
        @router.get("/items")
        def items(limit: int = 1, start: int = 0):
            return list(range(start, start + limit))
        @router.get("/count")
        def count():
            return 3
    """)
    live.process.wait("err", lambda line: "hotswap: reloaded routes_hs" in line)
    answers = _same_as_fresh(
        live, serve, args, ["/api/items?limit=2&start=5", "/api/count", "/openapi.json"]
    )
    assert answers["/api/items?limit=2&start=5"] == (200, "[5,6]")


# -- a request in progress while a save applies --------------------------------------------------

SLOW_FLASK = """
import os, time
from flask import Flask
app = Flask(__name__)
def first():
    return "{v}"
def second():
    return "{v}"
@app.route("/slow")
def slow():
    a = first()
    open("started", "w").close()
    while not os.path.exists("go"):
        time.sleep(0.01)
    return f"{{a}}-{{second()}}"
"""

SLOW_FASTAPI = """
import asyncio, os
from fastapi import FastAPI
app = FastAPI()
def first():
    return "{v}"
def second():
    return "{v}"
@app.get("/slow")
async def slow():
    a = first()
    open("started", "w").close()
    while not os.path.exists("go"):
        await asyncio.sleep(0.01)
    return f"{{a}}-{{second()}}"
"""


@pytest.mark.parametrize(
    ("source", "args"),
    [
        (SLOW_FLASK, ("-m", "flask", "--app", "slow_hs", "run", "--host", "127.0.0.1",
                      "--port", "0")),
        (SLOW_FASTAPI, ("-m", "uvicorn", "slow_hs:app", "--host", "127.0.0.1", "--port", "0")),
    ],
    ids=["flask", "fastapi"],
)
def test_a_request_in_progress_is_served_entirely_by_the_code_it_started_with(
    serve: Callable[..., Server], tmp_path: Path, source: str, args: tuple[str, ...]
) -> None:
    """A save made while a request runs waits for it (one line says so): the request answers
    `old-old`, never `old-new`; the next request answers `new-new`."""
    app = tmp_path / "slow_hs.py"
    _save(app, source.format(v="old"))
    live = serve(*args)
    answer: list[tuple[int, str]] = []
    request = threading.Thread(target=lambda: answer.append(live.get("/slow")))
    request.start()
    deadline = time.monotonic() + TIMEOUT
    while not (tmp_path / "started").exists():  # the request is inside the view now
        assert time.monotonic() < deadline, "the request never started"
        time.sleep(0.01)
    _save(app, source.format(v="new"))
    live.process.wait("err", lambda line: "waiting for 1 request(s) in progress" in line)
    (tmp_path / "go").touch()
    request.join(TIMEOUT)
    assert answer == [(200, '"old-old"' if "fastapi" in source else "old-old")]
    live.process.wait("err", lambda line: "hotswap: reloaded slow_hs" in line)
    expected = '"new-new"' if "fastapi" in source else "new-new"
    assert live.get("/slow") == (200, expected)


BLUEPRINT_VIEWS = """
from flask import Blueprint
bp = Blueprint("shop", __name__)
{routes}
"""

BLUEPRINT_APP = """
from flask import Flask
from {views} import bp
app = Flask(__name__)
app.register_blueprint(bp, url_prefix="/api")
app.register_blueprint(bp, url_prefix="/v2", name="shop2")
"""


def _blueprint_routes(app: Any) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, rule.endpoint) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
    )


def test_flask_blueprint_routes_follow_every_save_after_registration(
    workspace: Workspace,
) -> None:
    """A blueprint in its own module, registered twice on the app (``/api`` and ``/v2``), after
    requests were served: a view body edit, a route added, a route's path changed and a route
    deleted in the blueprint's module are each served at once under both prefixes, exactly the
    routes a fresh start has; an app made afterwards (an app factory, a test fixture) gets the
    blueprint's current routes, each once."""
    views, app_name = workspace.name("views"), workspace.name("app")
    items = '@bp.route("/items")\ndef items():\n    return "{body}"\n'
    more = '@bp.route("{path}")\ndef more():\n    return "more"\n'

    def save(*routes: str) -> None:
        workspace.write(f"{views}.py", BLUEPRINT_VIEWS.format(routes="\n".join(routes)))

    save(items.format(body="v1"))
    workspace.write(f"{app_name}.py", BLUEPRINT_APP.format(views=views))
    with hotswap.Reloader() as r:
        module = importlib.import_module(app_name)
        client = module.app.test_client()
        assert client.get("/api/items").data == b"v1"

        save(items.format(body="v2"))
        assert r.check().ok
        assert client.get("/api/items").data == b"v2" and client.get("/v2/items").data == b"v2"

        save(items.format(body="v2"), more.format(path="/more"))
        report = r.check()
        assert report.ok and not report.warnings
        assert client.get("/api/more").data == b"more" and client.get("/v2/more").data == b"more"
        assert client.get("/api/items").data == b"v2"

        save(items.format(body="v2"), more.format(path="/extra"))
        assert r.check().ok
        assert client.get("/api/more").status_code == 404
        assert client.get("/api/extra").data == b"more" and client.get("/v2/extra").data == b"more"

        save(more.format(path="/extra"))
        assert r.check().ok
        assert client.get("/api/items").status_code == 404
        assert client.get("/v2/items").status_code == 404
        assert client.get("/api/extra").data == b"more"
        assert _blueprint_routes(module.app) == [
            ("/api/extra", "shop.more"), ("/v2/extra", "shop2.more"),
        ]

        from flask import Flask

        fresh = Flask("later")
        fresh.register_blueprint(importlib.import_module(views).bp, url_prefix="/x")
        assert _blueprint_routes(fresh) == [("/x/extra", "shop.more")]


def test_fastapi_routes_follow_their_dependencies_and_models_in_other_modules(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """A dependency (`Depends(common)`) gains a query parameter and a response model gains a
    field, each in its own module: the routes using them take the new parameter and return the
    new field, as a fresh start does (FastAPI derived both when it made the routes)."""
    _save(tmp_path / "schemas_hs.py", """
        from pydantic import BaseModel
        class Item(BaseModel):
            name: str
    """)
    _save(tmp_path / "deps_hs.py", """
        def common(q: str = "x"):
            return {"q": q}
    """)
    _save(tmp_path / "main_hs.py", """
        from fastapi import Depends, FastAPI
        from deps_hs import common
        from schemas_hs import Item
        app = FastAPI()
        @app.get("/dep")
        def dep(c: dict = Depends(common)):
            return c
        @app.get("/item", response_model=Item)
        def item():
            return {"name": "a", "price": 3}
    """)
    args = ("-m", "uvicorn", "main_hs:app", "--host", "127.0.0.1", "--port", "0")
    live = serve(*args)
    assert live.get("/item") == (200, '{"name":"a"}')
    _save(tmp_path / "deps_hs.py", """
        def common(q: str = "x", n: int = 0):
            return {"q": q, "n": n}
    """)
    live.process.wait("err", lambda line: "hotswap: reloaded deps_hs" in line)
    _save(tmp_path / "schemas_hs.py", """
        from pydantic import BaseModel
        class Item(BaseModel):
            name: str
            price: int = 0
    """)
    live.process.wait("err", lambda line: "hotswap: reloaded schemas_hs" in line)
    answers = _same_as_fresh(live, serve, args, ["/dep?q=1&n=5", "/item", "/openapi.json"])
    assert answers["/dep?q=1&n=5"] == (200, '{"q":"1","n":5}')
    assert answers["/item"] == (200, '{"name":"a","price":3}')
