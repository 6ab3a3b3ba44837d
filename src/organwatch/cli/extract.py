"""Commands of the extraction stage: ``organwatch extract FILE...`` and ``organwatch eval``.

They are thin: reading files goes through the text core, extraction through :func:`organwatch.extract.extract`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer


class Format(str, Enum):
    jsonl = "jsonl"
    json = "json"
    table = "table"


def _read(path: Path) -> tuple[str, str | None]:
    """Document text (as the text core extracts it) and its published date if the document states one."""
    from organwatch.text import extract_documents

    data = path.read_bytes()
    docs = list(extract_documents(data, name=path.name))
    if not docs:
        raise ValueError("no text could be extracted")
    if len(docs) > 1:
        # A WARC or similar holds many documents; extract reads the first and says so.
        print(f"{path}: holds {len(docs)} documents; reading the first", file=sys.stderr)
    doc = docs[0]
    if not doc.text.strip() and data.strip():
        raise ValueError(f"no readable text (looks like {doc.media_type})")
    return doc.text, doc.published


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['path']}  ({result['language']}, {len(result['mentions'])} mentions, {len(result['quotes'])} quotes)"
    ]
    for m in result["mentions"]:
        lines.append(f"  {m['type']:<12} {m['start']:>6}-{m['end']:<6} {m['text']!s:<30} → {m['canonical']}")
    for q in result["quotes"]:
        lines.append(f"  quote        {q['start']:>6}-{q['end']:<6} {q['speaker']}: {q['text'][:60]}")
    return "\n".join(lines)


def extract_command(
    files: Annotated[list[Path], typer.Argument(help="Text, HTML or PDF files to read.", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", help="jsonl (one object per file), json or table.")] = Format.jsonl,
    doc_date: Annotated[
        str | None,
        typer.Option(
            "--doc-date", help="Date (YYYY-MM-DD) for relative dates; " "default: the document's own published date."
        ),
    ] = None,  # fmt: skip
    language: Annotated[str | None, typer.Option("--language", help="en or zh (default: detected).")] = None,
) -> None:
    """Extract people, organisations, places, dates, quantities and quotes from FILES (no case needed).

    Example: organwatch extract sample/en/transplant-system-timeline-2000-2020.txt --format table
    """
    fixed: date | None = None
    if doc_date:
        try:
            fixed = date.fromisoformat(doc_date)
        except ValueError:
            print(f"--doc-date {doc_date!r}: not a date in YYYY-MM-DD form", file=sys.stderr)
            raise typer.Exit(2) from None
    from organwatch.extract.pipeline import extract  # imported here: `organwatch --help` stays light

    failed = 0
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            text, published = _read(path)
            when = fixed or (date.fromisoformat(published[:10]) if published else None)
            extraction = extract(text, language, when)
        except Exception as exc:  # one bad file must not stop the batch; the user gets one clear line
            print(f"{path}: cannot extract: {exc}", file=sys.stderr)
            failed += 1
            continue
        result = {"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **extraction.to_dict()}
        for warning in extraction.warnings:
            print(f"{path}: warning: {warning}", file=sys.stderr)
        if fmt is Format.jsonl:
            print(json.dumps(result, ensure_ascii=False))
        elif fmt is Format.table:
            print(_table(result))
        else:
            results.append(result)
    if fmt is Format.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    if failed:
        raise typer.Exit(1)


eval_app = typer.Typer(
    help="Score extractors against gold sets (floors pinned in baseline.json). "
    "Example: organwatch eval extract tests/gold",
    no_args_is_help=True,
)


@eval_app.command("extract")
def eval_extract(
    gold_dir: Annotated[Path, typer.Argument(help="Folder of gold JSON files with a baseline.json.")],
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Pin the current scores as floors.")
    ] = False,
    allow_lower: Annotated[bool, typer.Option("--allow-lower", help="Let --update-baseline lower a floor.")] = False,
) -> None:
    """Precision, recall and F1 per type and language; fails when a score is below its floor.

    Example: organwatch eval extract tests/gold
    """
    if not gold_dir.is_dir():
        print(f"{gold_dir}: not a folder of gold files", file=sys.stderr)
        raise typer.Exit(2)
    from organwatch.extract import evaluate as scoring  # imported here: `organwatch --help` stays light

    report = scoring.evaluate(gold_dir)
    for lang, scores in report["languages"].items():
        print(f"{lang}: macro F1 exact {scores['exact_macro_f1']:.3f}, relaxed {scores['relaxed_macro_f1']:.3f}")
        for kind, s in scores["relaxed"].items():
            e = scores["exact"][kind]
            print(f"  {kind:<12} exact P {e['precision']:.3f} R {e['recall']:.3f} F1 {e['f1']:.3f}   "
                  f"relaxed P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")  # fmt: skip
    baseline_path = gold_dir / "baseline.json"
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path.exists() else None
    if update_baseline:
        proposed = scoring.new_baseline(report)
        if baseline and not allow_lower:
            lowered = [f"{lang} {k}" for lang, floors in proposed["floors"].items() for k, v in floors.items()
                       if v < baseline["floors"].get(lang, {}).get(k, 0)]  # fmt: skip
            if lowered:
                print(f"refusing to lower floors ({', '.join(lowered)}); pass --allow-lower to do it", file=sys.stderr)
                raise typer.Exit(1)
        baseline_path.write_text(json.dumps(proposed, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {baseline_path}")
        return
    if baseline is None:
        print(f"{baseline_path}: missing; run with --update-baseline to pin floors", file=sys.stderr)
        raise typer.Exit(1)
    failures = scoring.check_floors(report, baseline)
    if baseline.get("digest") != report["digest"]:
        print("note: the gold set changed since the floors were pinned", file=sys.stderr)
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        raise typer.Exit(1)


app = typer.Typer()
app.command("extract")(extract_command)
app.add_typer(eval_app, name="eval")
