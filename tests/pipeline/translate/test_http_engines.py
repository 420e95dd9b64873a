"""openai and libretranslate engines against local servers speaking those APIs' shapes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vistka.pipeline.translate import (
    HttpEngineSettings,
    TranslationError,
    TranslationUnavailable,
    get_engine,
    translate_article,
)
from vistka.pipeline.translate.http_engines import LibreTranslateEngine, OpenAIEngine

Reply = tuple[int, object] | tuple[int, object, dict[str, str]]
Responder = Callable[[str, dict, dict], Reply]


class ApiServer:
    """A local JSON-over-POST server: `responder(path, body, headers)` answers each request."""

    def __init__(self, responder: Responder, delay: float = 0.0) -> None:
        self.requests: list[tuple[str, dict, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the stdlib's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, body, dict(self.headers)))
                time.sleep(delay)
                status, payload, *headers = responder(self.path, body, dict(self.headers))
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers[0] if headers else {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ApiServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def chat_reply(content: str) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}


def openai_translator(path: str, body: dict, headers: dict) -> Reply:
    segments = json.loads(body["messages"][-1]["content"])
    translated = [f"EN({segment})" for segment in segments]
    return 200, chat_reply("```json\n" + json.dumps(translated, ensure_ascii=False) + "\n```")


def settings(url: str, **overrides) -> HttpEngineSettings:
    values = {"url": url, "model": "qwen2.5:7b", "api_key": "sk-test", "timeout": 2.0, "retries": 2,
              "retry_pause": 0.01} | overrides
    return HttpEngineSettings(**values)


# --- openai ------------------------------------------------------------------------------------


def test_openai_request_shape_and_one_translation_per_segment() -> None:
    with ApiServer(openai_translator) as server:
        engine = OpenAIEngine(settings(server.url + "/v1", chunk_size=2))
        out = engine.translate_texts(["Раз.", "", "Два.", "Три."], "uk", "en")

    assert out == ["EN(Раз.)", "", "EN(Два.)", "EN(Три.)"]
    assert engine.model_id == "openai:qwen2.5:7b"
    assert len(server.requests) == 2  # chunks of two non-blank segments
    path, body, headers = server.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer sk-test"
    assert body["model"] == "qwen2.5:7b" and body["temperature"] == 0
    assert body["messages"][0]["role"] == "system"
    assert "Ukrainian" in body["messages"][0]["content"] and "number" in body["messages"][0]["content"]
    assert json.loads(body["messages"][1]["content"]) == ["Раз.", "Два."]


def test_openai_through_an_article_keeps_structure() -> None:
    with ApiServer(openai_translator) as server:
        engine = get_engine("uk", "en", engine="openai", packages_dir=Path("."), openai=settings(server.url + "/v1"))
        result = translate_article("Заголовок", "", '<p>Текст <a href="/x">тут</a>.</p>', "uk", "en", engine)
    assert result.title == "EN(Заголовок)"
    assert result.engine == "openai" and 'href="/x"' in result.body_html


def test_openai_wrong_segment_count_is_an_error() -> None:
    with ApiServer(lambda *_: (200, chat_reply('["only one"]'))) as server, \
            pytest.raises(TranslationError, match="answered 1 segments for 2"):
        OpenAIEngine(settings(server.url)).translate_texts(["Раз.", "Два."], "uk", "en")


def test_openai_error_body_is_shown_and_not_retried() -> None:
    error = {"error": {"message": "model 'nope' not found", "type": "invalid_request_error"}}
    with ApiServer(lambda *_: (404, error)) as server, \
            pytest.raises(TranslationError, match="HTTP 404: model 'nope' not found"):
        OpenAIEngine(settings(server.url)).translate_texts(["Раз."], "uk", "en")
    assert len(server.requests) == 1


def test_openai_server_errors_are_retried_then_succeed() -> None:
    answers = iter([(503, {"error": {"message": "loading model"}}), (429, {"error": "slow down"}, {"Retry-After": "0"})])

    def flaky(path, body, headers):
        return next(answers, None) or openai_translator(path, body, headers)

    with ApiServer(flaky) as server:
        assert OpenAIEngine(settings(server.url)).translate_texts(["Раз."], "uk", "en") == ["EN(Раз.)"]
    assert len(server.requests) == 3


def test_openai_timeout_gives_up_after_the_retries() -> None:
    with ApiServer(openai_translator, delay=0.5) as server, pytest.raises(TranslationError, match=r"timeout.*3 attempts"):
        OpenAIEngine(settings(server.url, timeout=0.1)).translate_texts(["Раз."], "uk", "en")


def test_openai_needs_a_model() -> None:
    with pytest.raises(TranslationUnavailable, match="VISTKA_OPENAI_MODEL"):
        get_engine("uk", "en", engine="openai", packages_dir=Path("."), openai=settings("http://x", model=""))


# --- libretranslate ------------------------------------------------------------------------------


def libre_translator(path: str, body: dict, headers: dict) -> Reply:
    return 200, {"translatedText": [f"{body['target']}:{text}" for text in body["q"]]}


def test_libretranslate_request_shape() -> None:
    with ApiServer(libre_translator) as server:
        engine = get_engine("uk-UA", "en", engine="libretranslate", packages_dir=Path("."),
                            libretranslate=settings(server.url, api_key="k1"))
        assert engine.translate_texts(["Раз.", " ", "Два."], "uk-UA", "en") == ["en:Раз.", "", "en:Два."]
    assert isinstance(engine, LibreTranslateEngine) and engine.model_id == "libretranslate:127.0.0.1"
    path, body, _ = server.requests[0]
    assert path == "/translate"
    assert body == {"q": ["Раз.", "Два."], "source": "uk", "target": "en", "format": "text", "api_key": "k1"}


@pytest.mark.parametrize(("status", "body", "message"), [
    (400, {"error": "uk is not supported"}, "HTTP 400: uk is not supported"),
    (403, {"error": "Invalid API key"}, "HTTP 403: Invalid API key"),
    (200, b"<html>proxy</html>", "not JSON"),
    (200, {"translatedText": ["one"]}, "no list of 2 translations"),
])
def test_libretranslate_errors(status: int, body: object, message: str) -> None:
    with ApiServer(lambda *_: (status, body)) as server, pytest.raises(TranslationError, match=message):
        LibreTranslateEngine(settings(server.url)).translate_texts(["Раз.", "Два."], "uk", "en")
    assert len(server.requests) == 1


def test_libretranslate_unreachable_server() -> None:
    with pytest.raises(TranslationError, match="cannot reach"):
        LibreTranslateEngine(settings("http://127.0.0.1:9", retries=0)).translate_texts(["Раз."], "uk", "en")


def test_libretranslate_long_retry_after_waits_for_the_next_run() -> None:
    with ApiServer(lambda *_: (429, {"error": "Too many requests"}, {"Retry-After": "3600"})) as server, \
            pytest.raises(TranslationError, match="retrying on the next run"):
        LibreTranslateEngine(settings(server.url)).translate_texts(["Раз."], "uk", "en")
    assert len(server.requests) == 1
