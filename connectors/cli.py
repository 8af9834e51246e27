"""The `crm-assistant` command line: thin commands over the same functions the API calls."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from crm_core.errors import CrmError
from crm_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

app = typer.Typer(help="CRM Assistant: ask your CRM in plain language.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(key_app, name="api-key")

console = Console()
err_console = Console(stderr=True)

# Options several commands share, declared once.
ActingUser = Annotated[str, typer.Option("--as", help="Act as this CRM user (e-mail).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of tables.")]
ContactRef = Annotated[str, typer.Argument(help="Contact id or name (among the contacts you may see).")]


class DemoSize(str, Enum):
    small = "small"
    medium = "medium"
    large = "large"


@contextmanager
def _errors_exit() -> Iterator[None]:
    """Show our errors as one readable line and exit non-zero; never a traceback."""
    try:
        yield
    except CrmError as exc:
        err_console.print(f"[bold red]error[/] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(1) from None


def _settings(today: date | None = None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"today": today}) if today else settings


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all schema migrations."""
    from crm_core.database import ready_engine
    from crm_core.migrate import current_revision

    with _errors_exit():
        engine = ready_engine(_settings())
        console.print(f"Schema at revision [bold]{current_revision(engine)}[/].")


@app.command("demo-data")
def demo_data(
    size: Annotated[DemoSize, typer.Option(help="How much data to generate.")] = DemoSize.small,
    seed: Annotated[int, typer.Option(help="Random seed: same seed and today give identical rows.")] = 7,
    today: Annotated[str | None, typer.Option(help="Pin 'today' (YYYY-MM-DD); default the real date.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Delete existing data first.")] = False,
) -> None:
    """Fill the database with deterministic, realistic demo data."""
    from crm_core.database import ready_engine
    from crm_core.demo_data import load_demo_data

    with _errors_exit():
        pinned = _parse_date(today) if today else date.today()
        engine = ready_engine(_settings())
        stats = load_demo_data(engine, size=size.value, seed=seed, today=pinned, reset=reset, show_progress=True)
        table = Table(title=f"Demo data ({size.value}, seed {seed}, today {pinned})")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in stats.counts.items():
            table.add_row(name, f"{count:,}")
        console.print(table)
        console.print(f"Loaded in {stats.elapsed_s:.1f} s.")


@key_app.command("create")
def api_key_create(user: Annotated[str, typer.Option("--user", help="E-mail of the CRM user.")]) -> None:
    """Create an API key for a user and print it (it is stored only as a hash)."""
    from crm_core.database import ready_engine
    from crm_core.db import session_scope

    with _errors_exit():
        from crm_core.api_keys import create_api_key

        with session_scope(ready_engine(_settings())) as session:
            key = create_api_key(session, user_email=user)
        print(key)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    with_demo_data: Annotated[bool, typer.Option(
        "--with-demo-data", help="Load demo data first when the database is empty.")] = False,
    score_refresh: Annotated[bool, typer.Option(
        help="Re-score every contact on a schedule (and train a model when there is none).")] = True,
    background_index: Annotated[bool, typer.Option(
        help="Embed new and edited notes and emails in the background (at low CPU priority).")] = True,
) -> None:
    """Serve the API, chat channels and web widget."""
    import uvicorn

    from connectors.api.app import create_app
    from crm_core.database import is_empty, ready_engine

    settings = _settings().model_copy(update={"score_refresh_enabled": score_refresh})
    # the server embeds new and edited notes and emails in the background (tests build the app without)
    settings = settings.model_copy(update={"search_background_index": background_index})
    with _errors_exit():
        engine = ready_engine(settings)
        if with_demo_data and is_empty(engine):
            from crm_core.demo_data import load_demo_data

            console.print(f"Empty database: loading {settings.demo_size} demo data (seed {settings.demo_seed}).")
            load_demo_data(engine, size=settings.demo_size, seed=settings.demo_seed,
                           today=settings.today or date.today(), show_progress=True)
        application = create_app(settings)
        # load the embedding model before taking traffic, not on (or next to) the first questions
        from connectors.runtime import warm_up

        console.print("Loading the embedding model…")
        warm_up(application.state.assistant)
    console.print(f"Serving on http://{host or settings.host}:{port or settings.port}  (docs at /docs)")
    uvicorn.run(application, host=host or settings.host, port=port or settings.port, log_level="info")


class CsvEntity(str, Enum):
    contacts = "contacts"
    accounts = "accounts"


@app.command("import")
def import_command(
    entity: Annotated[CsvEntity, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="CSV file (UTF-8; comma, semicolon or tab separated).")],
    as_user: Annotated[str, typer.Option("--as", help="Import as this CRM user (e-mail).")] = "admin@demo.crm",
    partial: Annotated[bool, typer.Option("--partial", help="Import the valid rows even if others fail.")] = False,
    ignore_unknown_columns: Annotated[bool, typer.Option(help="Skip columns that match no field.")] = False,
) -> None:
    """Import contacts or accounts; every row is validated like any other write. All or nothing by default."""
    from crm_core.csv_io import import_csv, render_report, summary
    from crm_core.database import ready_engine
    from crm_core.db import session_scope
    from crm_core.scope import actor_for

    with _errors_exit():
        with session_scope(ready_engine(_settings())) as session:
            actor = actor_for(session, as_user)
            report = import_csv(session, actor=actor, entity=entity.value, source=file,
                                all_or_nothing=not partial, ignore_unknown_columns=ignore_unknown_columns,
                                show_progress=True)
        if report.errors:
            console.print(render_report(report))
        console.print(summary(report))
    if report.errors and (not partial or report.imported == 0):
        raise typer.Exit(1)


@app.command("export")
def export_command(
    entity: Annotated[CsvEntity, typer.Argument(help="What to export.")],
    file: Annotated[Path, typer.Argument(help="Destination CSV file (UTF-8, ISO-8601 dates).")],
    as_user: Annotated[str, typer.Option("--as", help="Export what this CRM user may see.")] = "admin@demo.crm",
    bom: Annotated[bool, typer.Option("--bom", help="Start with a UTF-8 BOM (for spreadsheet programs).")] = False,
) -> None:
    """Export contacts or accounts visible to a user as CSV."""
    from crm_core.csv_io import export_csv
    from crm_core.database import ready_engine
    from crm_core.db import session_scope
    from crm_core.scope import actor_for

    with _errors_exit():
        with session_scope(ready_engine(_settings())) as session:
            actor = actor_for(session, as_user)
            rows = export_csv(session, actor=actor, entity=entity.value, destination=file, show_progress=True,
                              bom=bom)
    console.print(f"Wrote {rows:,} {entity.value} to {file}.")


class Translator(str, Enum):
    parser = "parser"
    llm = "llm"
    auto = "auto"


eval_app = typer.Typer(help="Evaluation suites: accuracy and latency figures.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@app.command()
def index(
    kind: Annotated[list[IndexKind] | None, typer.Option(help="Only notes or only emails (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after this many texts (the rest stays pending).")] = None,
    batch: Annotated[int, typer.Option(help="Texts per transaction.")] = 256,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Embed everything again (after changing the "
                                          "embedding model).")] = False,
) -> None:
    """Embed the notes and emails that are new or changed since the last run (resumable, idempotent)."""
    from crm_core.database import ready_engine
    from nlq.embeddings import load_model
    from nlq.search.indexer import index_pending, mark_all_pending, pending_counts

    with _errors_exit():
        settings = _settings()
        engine = ready_engine(settings)
        kinds = tuple(k.value for k in kind) if kind else ("note", "email")
        if rebuild:
            console.print(f"Marked {mark_all_pending(engine, kinds):,} texts for embedding again.")
        if any(pending_counts(engine)[k] for k in kinds):
            load_model(settings.embedding_model)  # loaded before the clock starts: texts/s is the model's
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                      console=console) as progress:
            task = progress.add_task("[bold]Embedding[/]", total=None, rate="")
            started = time.perf_counter()

            def on_progress(done: int, total: int) -> None:
                elapsed = time.perf_counter() - started
                rate = f"{done / elapsed:,.1f} texts/s" if done and elapsed > 0 else ""
                progress.update(task, completed=done, total=total, rate=rate)

            topic_task: list[Any] = []

            def on_topic_progress(done: int, total: int) -> None:
                if not topic_task:
                    topic_task.append(progress.add_task("[bold]Topic vectors[/]", total=total, rate=""))
                progress.update(topic_task[0], completed=done, total=total)

            stats = index_pending(engine, model_name=settings.embedding_model, kinds=kinds, batch_documents=batch,
                                  max_documents=limit, on_progress=on_progress, on_topic_progress=on_topic_progress)
    if stats.clusters:
        console.print(f"Rebuilt {stats.clusters:,} cluster centroids for hybrid ranking in {stats.clusters_seconds:.1f} s.")
    if stats.topic_vectors:
        console.print(f"Wrote {stats.topic_vectors:,} topic vectors for semantic filters in {stats.topic_seconds:.1f} s.")
    if stats.documents == 0:
        what = " and ".join(f"{k}s" for k in kinds)
        left = sum(pending_counts(engine)[k] for k in kinds)
        console.print(f"Embedded nothing (--limit 0); {left:,} {what} still pending." if left else
                      f"Nothing to embed: every one of the {what} is indexed.")
        return
    console.print(f"Embedded {stats.documents:,} texts ({stats.chunks:,} passages: {stats.embedded:,} encoded, "
                  f"{stats.reused:,} reused by content hash) in {stats.seconds:.1f} s — "
                  f"{stats.documents_per_s:,.1f} texts/s, model {stats.passages_per_s:,.1f} passages/s.")


@eval_app.command("search")
def eval_search(
    suite: Annotated[Path | None, typer.Option(help="Suite file (JSONL); default the shipped dev suite.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    calibrate: Annotated[bool, typer.Option(
        "--calibrate", help="Instead: precision, recall and F1 of the semantic filter per similarity threshold "
                            "(exact scan of every passage; for the small dev data).")] = False,
) -> None:
    """recall@10, nDCG@10, MRR and latency of vector-only, keyword-only and hybrid search on a suite."""
    from crm_core.database import ready_engine
    from evals.search_eval import DEFAULT_SUITE, run_search_eval
    from nlq.search.retrieval import Searcher

    with _errors_exit():
        settings = _settings()
        engine = ready_engine(settings)
        if calibrate:
            from evals.semantic_filter_eval import run_semantic_filter_eval

            run_semantic_filter_eval(engine=engine, suite=suite or DEFAULT_SUITE, model_name=settings.embedding_model,
                                     report=report, console=console)
            return
        searcher = Searcher(engine, model_name=settings.embedding_model, timeout_ms=settings.query_timeout_ms)
        run_search_eval(engine=engine, searcher=searcher, suite=suite or DEFAULT_SUITE, report=report,
                        console=console)


class IndexKind(str, Enum):
    note = "note"
    email = "email"


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question in plain language.")],
    as_user: ActingUser = "admin@demo.crm",
    as_json: AsJson = False,
    today: Annotated[str | None, typer.Option(help="Pin 'today' (YYYY-MM-DD).")] = None,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
    translator: Annotated[Translator | None, typer.Option(
        help="Who turns the question into SQL: the built-in parser, the LLM, or auto (parser first). "
             "Default: the translator setting.")] = None,
) -> None:
    """Ask one question and print the answer (a table, how it was calculated, the SQL)."""
    from connectors.render_cli import render_answer
    from connectors.runtime import get_assistant
    from crm_core.scope import actor_for

    with _errors_exit():
        pinned = _parse_date(today) if today else None
        assistant = get_assistant(_settings(pinned))
        with assistant.session() as session:
            actor = actor_for(session, as_user)
        answer = assistant.ask(question, actor, channel="cli", conversation_id=conversation, today=pinned,
                               translator=translator.value if translator else None)
    if as_json:
        print(answer.model_dump_json(indent=2))
    else:
        render_answer(answer, console)
    if answer.status == "error":
        raise typer.Exit(1)


@app.command()
def chat(
    as_user: ActingUser = "admin@demo.crm",
    today: Annotated[str | None, typer.Option(help="Pin 'today' (YYYY-MM-DD).")] = None,
    translator: Annotated[Translator | None, typer.Option(
        help="Who turns questions into SQL: parser, llm or auto. Default: the translator setting.")] = None,
) -> None:
    """Interactive conversation with follow-ups ("only the ones in Texas", "how many?")."""
    from connectors.render_cli import render_answer
    from connectors.runtime import get_assistant
    from crm_core.scope import actor_for

    with _errors_exit():
        pinned = _parse_date(today) if today else None
        assistant = get_assistant(_settings(pinned))
        with assistant.session() as session:
            actor = actor_for(session, as_user)
    conversation_id = None
    console.print(f"[bold]CRM assistant[/] — signed in as {actor.full_name} ({actor.role}). Empty line or Ctrl-D quits.")
    while True:
        try:
            question = console.input("[bold cyan]› [/]")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        answer = assistant.ask(question, actor, channel="cli", conversation_id=conversation_id, today=pinned,
                               translator=translator.value if translator else None)
        conversation_id = answer.conversation_id
        render_answer(answer, console)


@eval_app.command("nlq")
def eval_nlq(
    suite: Annotated[Path | None, typer.Option(help="Suite file (JSONL); default the shipped dev suite.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    today: Annotated[str | None, typer.Option(help="Pin 'today' (YYYY-MM-DD).")] = "2026-05-15",
    translator: Annotated[Translator, typer.Option(
        help="Which translator answers: parser, llm, or auto (parser first, the LLM when it asks back).")
    ] = Translator.parser,
) -> None:
    """Execution accuracy, refusals and latency of the NLQ engine on a suite, for one translator."""
    from connectors.runtime import get_assistant
    from evals.nlq_eval import DEFAULT_SUITE, run_nlq_eval
    from nlq.llm.client import NO_KEY_MESSAGE
    from nlq.llm.errors import LlmUnavailableError

    with _errors_exit():
        pinned = _parse_date(today) if today else None
        assistant = get_assistant(_settings(pinned))
        if translator is not Translator.parser and not assistant.nlq.llm_available():
            if translator is Translator.llm:
                raise LlmUnavailableError(NO_KEY_MESSAGE)
            err_console.print("[yellow]note[/] the LLM translator is off (no API key): auto answers with the parser.")
        run_nlq_eval(assistant=assistant, suite=suite or DEFAULT_SUITE, report=report, today=pinned, console=console,
                     translator=translator.value)


# ------------------------------------------------------------------ lead scores and send times

score_app = typer.Typer(help="Lead scores: train the model, score every contact, explain a score.",
                        no_args_is_help=True)
app.add_typer(score_app, name="score")


class ModelChoice(str, Enum):
    auto = "auto"
    gradient_boosting = "gradient_boosting"
    logistic_regression = "logistic_regression"


def _instant(settings: Settings, day: str | None) -> datetime:
    from crm_core.scoring import current_instant
    from crm_core.scoring.service import instant_of

    return instant_of(_parse_date(day)) if day else current_instant(settings)


@score_app.command("train")
def score_train(
    as_of: Annotated[str | None, typer.Option(
        help="Learn from outcomes known at this date (YYYY-MM-DD); default today.")] = None,
    model: Annotated[ModelChoice, typer.Option(help="auto picks the better candidate on recent data.")]
    = ModelChoice.auto,
    seed: Annotated[int | None, typer.Option(help="Random seed; default the scoring_seed setting.")] = None,
    max_iter: Annotated[int, typer.Option(help="Boosting iterations of the gradient-boosting candidate.")] = 100,
) -> None:
    """Train the lead-scoring model on past leads and make it the current one."""
    from connectors.render_scores import render_train_report
    from crm_core.database import ready_engine
    from crm_core.db import session_scope
    from crm_core.scoring import train
    from crm_core.scoring.model import ModelConfig

    with _errors_exit():
        settings = _settings()
        config = ModelConfig(kind=model.value, seed=settings.scoring_seed if seed is None else seed,
                             max_iter=max_iter)
        with session_scope(ready_engine(settings)) as session:
            _, report = train(session, settings, as_of=_instant(settings, as_of), config=config,
                              trained_at=datetime.now(UTC), show_progress=True)
        render_train_report(report, console)


@score_app.command("apply")
def score_apply(
    as_of: Annotated[str | None, typer.Option(
        help="Score as of this date (YYYY-MM-DD); an earlier date only adds history. Default now.")] = None,
) -> None:
    """Score every contact with the current model; store the scores, their model and time, and history."""
    from connectors.render_scores import render_apply_report
    from crm_core.database import ready_engine
    from crm_core.db import session_scope
    from crm_core.scoring import apply

    with _errors_exit():
        settings = _settings()
        with session_scope(ready_engine(settings)) as session:
            report = apply(session, settings, as_of=_instant(settings, as_of), show_progress=True)
        render_apply_report(report, console)


@score_app.command("explain")
def score_explain(
    contact: ContactRef,
    as_user: ActingUser = "admin@demo.crm",
    as_json: AsJson = False,
) -> None:
    """Why a contact has its score: the factors up and down, in a rep's words, and its history."""
    from connectors.render_scores import render_explanation
    from crm_core.scoring import explain_contact

    _show_for_contact(as_user, contact, explain_contact, render_explanation, as_json=as_json)


@app.command("send-time")
def send_time(
    contact: ContactRef,
    as_user: ActingUser = "admin@demo.crm",
    as_json: AsJson = False,
) -> None:
    """When to e-mail a contact: the best local hour and 3-hour window, with confidence."""
    from connectors.render_scores import render_send_time
    from crm_core.send_time import suggest_send_time

    _show_for_contact(as_user, contact, suggest_send_time, render_send_time, as_json=as_json)


def _show_for_contact(as_user: str, contact: str, compute: Any, render: Any, *, as_json: bool) -> None:
    """Compute something about a contact the user may see, then print it as JSON or as rich tables."""
    result = _for_contact(as_user, contact, compute)
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        render(result, console)


def _for_contact(as_user: str, contact: str, compute: Any) -> Any:
    """Resolve a contact among those the user may see, then compute something about them, read-only."""
    from crm_core.database import ready_engine
    from crm_core.scope import actor_for
    from crm_core.scoring import current_instant
    from crm_core.scoring.contacts import resolve_contact

    with _errors_exit():
        settings = _settings()
        with session_scope_readonly(ready_engine(settings)) as session:
            actor = actor_for(session, as_user)
            ref = resolve_contact(session, actor, contact)
            return compute(session, settings, actor, ref.id, now=current_instant(settings))


@contextmanager
def session_scope_readonly(engine: Engine) -> Iterator[Session]:
    """A session for reading; whatever happens, nothing it did is committed."""
    from sqlalchemy.orm import Session

    with Session(bind=engine) as session:
        try:
            yield session
        finally:
            session.rollback()


@eval_app.command("scoring")
def eval_scoring(
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    today: Annotated[str, typer.Option(help="Pin 'today' (YYYY-MM-DD): outcomes are known until then.")]
    = "2026-05-15",
    cutoff: Annotated[str | None, typer.Option(
        help="Train on leads created before this date, test on later ones; default today − 270 days.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Evaluate on this CSV of leads instead of the CRM.")] = None,
    label: Annotated[str | None, typer.Option(help="With --csv: the 0/1 outcome column (e.g. Converted).")] = None,
    leaky: Annotated[list[str] | None, typer.Option(
        help="With --csv: a column filled in after contact (repeatable); default the X Education ones.")] = None,
    folds: Annotated[int, typer.Option(help="With --csv: cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed of training and folds.")] = 7,
    max_iter: Annotated[int, typer.Option(help="Boosting iterations of the gradient-boosting candidate.")] = 100,
) -> None:
    """Lead scoring quality: ROC AUC, PR AUC, accuracy, Brier, reliability, top-decile lift."""
    from crm_core.scoring.model import ModelConfig
    from evals.scoring_eval import render_report, run_crm_eval, run_csv_eval, write_report

    with _errors_exit():
        config = ModelConfig(seed=seed, max_iter=max_iter)
        if csv is not None:
            if not label:
                raise CrmError("--csv needs --label, the name of the 0/1 outcome column.", code="missing-label")
            with console.status(f"Cross-validating on {csv.name} ({folds} folds, with and without leaking columns)"):
                result = run_csv_eval(csv, label=label, leaky_columns=leaky, folds=folds, config=config)
            title = f"{csv.name}: {folds}-fold CV without leaking columns"
        else:
            from crm_core.database import ready_engine

            settings = _settings()
            with session_scope_readonly(ready_engine(settings)) as session, console.status(
                    "Computing features of past leads, training before the cutoff, testing after it"):
                result = run_crm_eval(session, today=_parse_date(today),
                                      cutoff=_parse_date(cutoff) if cutoff else None,
                                      horizon_days=settings.scoring_horizon_days, config=config)
            title = f"CRM time split at {result['setup']['cutoff']} ({result['summary']['n_test']:,} test rows)"
        write_report(result, report)
        render_report(result, console, title=title)


@eval_app.command("timing")
def eval_timing(
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    today: Annotated[str, typer.Option(help="Pin 'today' (YYYY-MM-DD): opens before it count.")] = "2026-05-15",
    holdout: Annotated[int, typer.Option(help="Hold out each contact's last N opens.")] = 2,
) -> None:
    """Send-time quality: hit rates of 1-hour and 3-hour windows against baselines, simulated lift."""
    from crm_core.database import ready_engine
    from evals.timing_eval import render_report, run_timing_eval, write_report

    with _errors_exit():
        settings = _settings()
        with session_scope_readonly(ready_engine(settings)) as session, console.status(
                "Holding out recent opens and scoring every method"):
            result = run_timing_eval(session, today=_parse_date(today), holdout=holdout)
        write_report(result, report)
        render_report(result, console)



def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CrmError(f"'{value}' is not a date; use YYYY-MM-DD.", code="invalid-date") from None


def main() -> None:
    app(prog_name="crm-assistant")


if __name__ == "__main__":
    sys.exit(main())
