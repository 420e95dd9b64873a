"""A tiny but real Argos Translate package for tests: no torch, no download, a few seconds.

The package has the exact layout the ctranslate2 engine loads in production (metadata.json,
a CTranslate2 `model/` folder, `sentencepiece.model`), so tests run the real
load → tokenize → translate_batch → detokenize path. The weights are random (seeded), so the
"translations" are deterministic gibberish.

The model is written as a Marian `.npz` checkpoint and converted with ctranslate2's own
MarianConverter: numpy is all that is needed to produce that format.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import sentencepiece

DIM = 32
HEADS = 2
FFN_DIM = 64
ENCODER_LAYERS = 1
DECODER_LAYERS = 1
VOCAB_SIZE = 320
SEED = 20240824
PACKAGE_VERSION = "1.0"

_UK_SUBJECTS = ("Президент", "Уряд", "Міністр оборони", "Мер Києва", "Верховна Рада", "Компанія",
                "Університет", "Лікарня", "Футбольна команда", "Наша редакція")
_UK_PREDICATES = ("оголосив про нові плани", "заявив про підтримку громади", "відкрив новий центр",
                  "провів зустріч з журналістами", "отримав допомогу від партнерів",
                  "розпочав ремонт дороги", "підписав важливу угоду", "представив звіт за рік")
_UK_TAILS = ("у середу.", "минулого тижня.", "у Львові.", "в Одесі.", "на вулиці Шевченка.", "сьогодні вранці.")
_EN_SUBJECTS = ("The president", "The government", "The defence minister", "The mayor of Kyiv",
                "Parliament", "The company", "The university", "The hospital", "The football team",
                "Our newsroom")
_EN_PREDICATES = ("announced new plans", "declared support for the community", "opened a new centre",
                  "met with journalists", "received help from partners", "started road repairs",
                  "signed an important agreement", "presented the annual report")
_EN_TAILS = ("on Wednesday.", "last week.", "in Lviv.", "in Odesa.", "on Shevchenko street.", "this morning.")
_EXTRA = (
    "В. Зеленський заявив, що переговори тривають.", "Ціни на хліб, молоко і т.д. зросли.",
    "Музей відзначив 80-річчя від дня заснування.", "Мешканці вул. Грушевського скаржаться на шум.",
    "Театр ім. Франка показав прем'єру.", "«Ми готові», — сказав він.", "Чи буде світло взимку?",
    "Погода: сонячно, +25 °C.", "1, 2, 3, 4, 5, 6, 7, 8, 9, 0 — %, €, $, грн.",
    "Hello, world! What's new today?", "Prices rose by 12.5% in 2024 (see the report).",
)


def tiny_corpus() -> list[str]:
    """A few hundred Ukrainian and English sentences, enough for a small SentencePiece vocabulary."""
    ukrainian = (" ".join(parts) for parts in itertools.product(_UK_SUBJECTS, _UK_PREDICATES, _UK_TAILS))
    english = (" ".join(parts) for parts in itertools.product(_EN_SUBJECTS, _EN_PREDICATES, _EN_TAILS))
    # Every third combination is plenty of text and keeps training fast.
    return [s for i, s in enumerate(itertools.chain(ukrainian, english)) if i % 3 == 0] + list(_EXTRA) * 3


def build_tiny_argos_package(dest_dir: Path, source: str = "uk", target: str = "en", *,
                             zip: bool = False, quantization: str | None = None) -> Path:
    """Write an Argos-format package into dest_dir; return its folder (or its .argosmodel zip)."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = f"translate-{source}_{target}-{PACKAGE_VERSION.replace('.', '_')}"
    package_dir = dest_dir / name
    if package_dir.exists():
        shutil.rmtree(package_dir)
    package_dir.mkdir()

    processor = _train_sentencepiece(package_dir / "sentencepiece.model")
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    _convert_random_marian_model(pieces, package_dir / "model", quantization)
    _write_metadata(package_dir, source, target)
    if not zip:
        return package_dir
    archive = dest_dir / f"{name}.argosmodel"
    _zip_folder(package_dir, archive)
    shutil.rmtree(package_dir)
    return archive


def _train_sentencepiece(model_path: Path) -> sentencepiece.SentencePieceProcessor:
    model = io.BytesIO()
    with open(os.devnull, "w") as quiet:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(tiny_corpus()), model_writer=model, vocab_size=VOCAB_SIZE,
            model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
            byte_fallback=False, num_threads=1, logstream=quiet,
        )
    model_path.write_bytes(model.getvalue())
    return sentencepiece.SentencePieceProcessor(model_file=str(model_path))


def _convert_random_marian_model(pieces: list[str], model_dir: Path, quantization: str | None) -> None:
    # Imported here: the converter pulls in yaml and the spec machinery, which only tests need.
    from ctranslate2.converters import MarianConverter

    with tempfile.TemporaryDirectory(prefix="tiny-marian-") as work:
        npz_path = Path(work) / "model.npz"
        vocab_path = Path(work) / "vocab.yml"
        eos_id = pieces.index("</s>")
        np.savez(npz_path, **_random_marian_weights(len(pieces), eos_id))
        vocab_path.write_text(_marian_vocab_yaml(pieces), encoding="utf-8")
        MarianConverter(str(npz_path), [str(vocab_path)]).convert(
            str(model_dir), quantization=quantization, force=True)


def _marian_config_yaml() -> str:
    # Only the keys MarianConverter reads are required; the rest documents the model.
    config = {
        "type": "transformer", "dim-emb": DIM, "enc-depth": ENCODER_LAYERS, "dec-depth": DECODER_LAYERS,
        "transformer-heads": HEADS, "transformer-dim-ffn": FFN_DIM,
        "transformer-ffn-activation": "relu", "transformer-preprocess": "",
        "transformer-postprocess": "dan", "transformer-postprocess-emb": "d",
        "transformer-postprocess-top": "", "transformer-decoder-autoreg": "self-attention",
        "transformer-no-projection": False, "transformer-guided-alignment-layer": "last",
        "tied-embeddings-all": True,
    }
    return json.dumps(config)  # JSON is valid YAML and needs no extra dependency here


def _random_marian_weights(vocab_size: int, eos_id: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)

    def matrix(rows: int, cols: int, scale: float = 1.0) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) * scale / np.sqrt(rows)).astype(np.float32)

    def bias(size: int) -> np.ndarray:
        return np.zeros((1, size), dtype=np.float32)

    def layer_norm(prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_ln_scale": np.ones((1, DIM), np.float32), f"{prefix}_ln_bias": bias(DIM)}

    def attention(prefix: str, scale: float = 1.0) -> dict[str, np.ndarray]:
        weights = layer_norm(f"{prefix}_Wo")
        for part in "qkvo":
            weights[f"{prefix}_W{part}"] = matrix(DIM, DIM, scale)
            weights[f"{prefix}_b{part}"] = bias(DIM)
        return weights

    def ffn(prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_W1": matrix(DIM, FFN_DIM), f"{prefix}_b1": bias(FFN_DIM),
                f"{prefix}_W2": matrix(FFN_DIM, DIM), f"{prefix}_b2": bias(DIM),
                **layer_norm(f"{prefix}_ffn")}

    weights: dict[str, np.ndarray] = {"Wemb": matrix(vocab_size, DIM)}
    for i in range(1, ENCODER_LAYERS + 1):
        weights |= attention(f"encoder_l{i}_self") | ffn(f"encoder_l{i}_ffn")
    for i in range(1, DECODER_LAYERS + 1):
        # A strong encoder-decoder attention makes outputs depend visibly on the input.
        weights |= attention(f"decoder_l{i}_self") | attention(f"decoder_l{i}_context", scale=6.0)
        weights |= ffn(f"decoder_l{i}_ffn")
    # A mild push towards </s> keeps random outputs short (fast tests) without making them empty.
    logit_bias = bias(vocab_size)
    logit_bias[0, eos_id] = 1.3
    weights["decoder_ff_logit_out_b"] = logit_bias
    # Marian stores its config as a NUL-terminated byte string inside the checkpoint.
    weights["special:model.yml"] = np.frombuffer(_marian_config_yaml().encode() + b"\0", dtype=np.int8)
    return weights


def _marian_vocab_yaml(pieces: list[str]) -> str:
    # Quoted keys: MarianConverter.load_vocab unescapes backslash sequences inside double quotes.
    def quote(piece: str) -> str:
        return '"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "".join(f"{quote(piece)}: {index}\n" for index, piece in enumerate(pieces))


def _write_metadata(package_dir: Path, source: str, target: str) -> None:
    metadata = {
        "package_version": PACKAGE_VERSION, "argos_version": "1.9.0",
        "from_code": source, "from_name": source.upper(), "to_code": target, "to_name": target.upper(),
        "type": "translate", "description": "tiny random-weight test package (gibberish output)",
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")


def _zip_folder(folder: Path, archive: Path) -> None:
    # Argos archives hold exactly one top-level folder: the package itself.
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.write(path, path.relative_to(folder.parent).as_posix())
