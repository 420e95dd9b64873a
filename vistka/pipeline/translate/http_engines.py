"""Engines that call a translation server over HTTP: any OpenAI-compatible chat-completions endpoint
(Ollama, llama.cpp, vLLM or a hosted API) and LibreTranslate.

Both send the segments of one article in chunks and expect exactly one translation per segment
back; anything else is a TranslationError, so an article is never stored half-translated.
Timeouts, HTTP 429 and 5xx are retried with a growing pause; other errors are not (a wrong key
or model name does not fix itself), and their error body is shown to the operator.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from .base import TranslationError, normalize_language

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_PAUSE = 10.0  # seconds; a longer Retry-After means "try on the next run"

OPENAI_SYSTEM_PROMPT = (
    "You are a professional news translator. Translate each segment of the JSON array from {source} "
    "into {target}. Answer with only a JSON array of strings with exactly as many items as the input, "
    "item i being the translation of segment i; never merge, split, drop or add segments. Keep every "
    "number, date, amount and unit exactly. Write people, places and institutions in their established "
    "{target} spelling and keep names already written in Latin letters unchanged. Keep quotation marks, "
    "and add no notes or explanations."
)


@dataclass(frozen=True)
class HttpEngineSettings:
    url: str
    model: str = ""
    api_key: str = ""
    timeout: float = 60.0
    retries: int = 2
    chunk_size: int = 40  # segments per request
    retry_pause: float = 0.5  # first pause; doubles with each retry


class OpenAIEngine:
    """Translates through POST {url}/chat/completions with a JSON-array-in, JSON-array-out prompt."""

    name = "openai"

    def __init__(self, settings: HttpEngineSettings, client: httpx.Client | None = None) -> None:
        if not settings.model:
            raise ValueError("the openai engine needs a model name (VISTKA_OPENAI_MODEL)")
        self.settings = settings
        self.model_id = f"openai:{settings.model}"
        self.client = client or httpx.Client(timeout=settings.timeout)

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        return _in_chunks(texts, self.settings.chunk_size,
                          lambda chunk: self._translate_chunk(chunk, source_lang, target_lang))

    def _translate_chunk(self, segments: list[str], source_lang: str, target_lang: str) -> list[str]:
        prompt = OPENAI_SYSTEM_PROMPT.format(source=_language_name(source_lang), target=_language_name(target_lang))
        payload = {
            "model": self.settings.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": prompt},
                         {"role": "user", "content": json.dumps(segments, ensure_ascii=False)}],
        }
        url = self.settings.url.rstrip("/") + "/chat/completions"
        answer = post_json(self.client, url, payload, _bearer(self.settings.api_key), self.settings, self.name)
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise TranslationError(f"openai: {url} answered without choices[0].message.content") from None
        return _segments_from_reply(str(content), len(segments), self.model_id)


class LibreTranslateEngine:
    """Translates through LibreTranslate's POST {url}/translate with a list of texts in `q`."""

    name = "libretranslate"

    def __init__(self, settings: HttpEngineSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.model_id = f"libretranslate:{httpx.URL(settings.url).host}"
        self.client = client or httpx.Client(timeout=settings.timeout)

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        return _in_chunks(texts, self.settings.chunk_size,
                          lambda chunk: self._translate_chunk(chunk, source_lang, target_lang))

    def _translate_chunk(self, segments: list[str], source_lang: str, target_lang: str) -> list[str]:
        payload: dict[str, Any] = {"q": segments, "source": normalize_language(source_lang),
                                   "target": normalize_language(target_lang), "format": "text"}
        if self.settings.api_key:
            payload["api_key"] = self.settings.api_key
        url = self.settings.url.rstrip("/") + "/translate"
        answer = post_json(self.client, url, payload, {}, self.settings, self.name)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(translated, str) and len(segments) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(segments):
            raise TranslationError(f"libretranslate: {url} returned no list of {len(segments)} translations")
        return [str(text) for text in translated]


def post_json(client: httpx.Client, url: str, payload: dict[str, Any], headers: dict[str, str],
              settings: HttpEngineSettings, engine: str) -> Any:
    """POST payload as JSON and return the decoded answer, retrying what may pass; TranslationError else."""
    attempt = 0
    while True:
        try:
            response = client.post(url, json=payload, headers=headers, timeout=settings.timeout)
        except httpx.TimeoutException:
            problem, retry_after = f"no answer from {url} within {settings.timeout:g} s (timeout)", None
        except httpx.HTTPError as error:
            problem, retry_after = f"cannot reach {url}: {error}", None
        else:
            if response.status_code < 400:
                return _decode(response, url, engine)
            problem = f"{url} answered HTTP {response.status_code}: {_error_message(response)}"
            if response.status_code not in RETRYABLE_STATUS:
                raise TranslationError(f"{engine}: {problem}")
            retry_after = _retry_after(response)
        if attempt >= settings.retries:
            raise TranslationError(f"{engine}: {problem} (after {attempt + 1} attempts)")
        pause = settings.retry_pause * 2 ** attempt if retry_after is None else retry_after
        if pause > MAX_RETRY_PAUSE:
            raise TranslationError(f"{engine}: {problem}; asked to wait {pause:g} s, retrying on the next run")
        time.sleep(pause)
        attempt += 1


def _in_chunks(texts: list[str], size: int, translate) -> list[str]:
    # Blank texts are answered here: servers and models invent text for them.
    outputs = [""] * len(texts)
    positions = [i for i, text in enumerate(texts) if text.strip()]
    for start in range(0, len(positions), size):
        chunk = positions[start:start + size]
        for position, translation in zip(chunk, translate([texts[i] for i in chunk]), strict=True):
            outputs[position] = translation.strip()
    return outputs


def _segments_from_reply(content: str, expected: int, model_id: str) -> list[str]:
    # Chat models like to wrap JSON in ```json fences or a sentence: take the outermost array.
    start, end = content.find("["), content.rfind("]")
    try:
        segments = json.loads(content[start:end + 1]) if 0 <= start < end else None
    except json.JSONDecodeError:
        segments = None
    if expected == 1 and segments is None and content.strip():
        return [content.strip()]
    if not isinstance(segments, list) or len(segments) != expected:
        found = len(segments) if isinstance(segments, list) else "no JSON array"
        raise TranslationError(f"openai: {model_id} answered {found} segments for {expected}: {content[:200]!r}")
    return [str(segment) for segment in segments]


def _decode(response: httpx.Response, url: str, engine: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise TranslationError(f"{engine}: {url} answered something that is not JSON: "
                               f"{response.text[:200]!r}") from None


def _error_message(response: httpx.Response) -> str:
    """The server's own words: OpenAI {"error": {"message"}}, LibreTranslate {"error": "..."}, or text."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error = error.get("message")
    return str(error or body)[:300]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


_LANGUAGE_NAMES = {"uk": "Ukrainian", "ru": "Russian", "en": "English", "de": "German", "fr": "French",
                   "pl": "Polish", "es": "Spanish", "it": "Italian", "be": "Belarusian", "cs": "Czech"}


def _language_name(code: str) -> str:
    code = normalize_language(code)
    return _LANGUAGE_NAMES.get(code, code)
