"""Our side of the LLM translator, measured: overhead per question, prompt size, pruning.

    python benchmarks/llm_overhead_bench.py [--rounds 2] [--limit N] [--report OUT.json]

Runs against the configured database (small demo data, seed 7) with `today` pinned to 2026-05-15,
and a scripted OpenAI-compatible server on 127.0.0.1 that answers at once with each question's gold
SQL (the answered, admin items of the dev suite). Every question goes the real way: retrieval of
catalog parts and examples, prompt building, ChatOpenAI over HTTP, reply reading, guard, execution.

Reported:
- overhead = total time − time inside the model call (client + HTTP + the stub), p50/p95, and the
  same split by step (retrieval, prompt building, guard, execution) measured one by one;
- the model call's round trip to a server that answers at once (langchain + HTTP on loopback);
- prompt size in cl100k tokens for the seed question, and its catalog part, with and without 50
  extra custom fields; the whole catalog's size for comparison;
- table recall of the pruned catalog: the share of questions whose gold SQL uses only tables the
  pruned catalog kept;
- replay accuracy: answers judged like `eval nlq` when the model replies with the gold SQL, i.e. what
  the guard, the scope rewrite and answer building cost a model that writes perfect SQL.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session
from sqlglot import exp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from openai_stub import Received, Reply, ScriptedChatServer, sql_reply  # noqa: E402

from assistant.service import Assistant  # noqa: E402
from crm_core.database import ready_engine  # noqa: E402
from crm_core.scope import actor_for  # noqa: E402
from crm_core.settings import get_settings  # noqa: E402
from evals.custom_fields import fifty_custom_fields  # noqa: E402
from evals.nlq_eval import DEFAULT_SUITE, _gold, _matches, load_suite  # noqa: E402
from evals.stats import percentile  # noqa: E402
from nlq.embeddings import embed, forget_query_vectors  # noqa: E402
from nlq.engine import NlqEngine  # noqa: E402
from nlq.executor import execute  # noqa: E402
from nlq.llm.catalog_text import build_chunks, load_custom_fields, load_database_terms  # noqa: E402
from nlq.llm.retrieval import Retriever  # noqa: E402
from nlq.llm.tokens import count_tokens, is_exact  # noqa: E402
from nlq.llm.translator import LlmTranslator  # noqa: E402
from nlq.translators import TranslationRequest  # noqa: E402

TODAY = date(2026, 5, 15)
SEED_QUESTION = "Show me all customers who haven't been contacted in 30 days with deals over $10,000"
ADMIN = "admin@demo.crm"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="rounds over the questions; the first only warms")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N questions (0: all)")
    parser.add_argument("--report", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    gold = {i.question: i.gold_sql for i in load_suite(DEFAULT_SUITE)
            if i.expect == "answer" and i.gold_sql and not i.context and i.as_user == ADMIN}
    questions = list(gold)[: args.limit or None]

    def answer_at_once(request: Received) -> Reply:
        asked = request.last_user_text.rsplit("Question: ", 1)[-1].strip()
        return sql_reply(gold.get(asked) or "SELECT 1")

    with ScriptedChatServer() as stub:
        stub.responder = answer_at_once
        settings = get_settings().model_copy(update={
            "today": TODAY, "openai_api_key": SecretStr("benchmark"), "openai_base_url": stub.url,
            "llm_http_retries": 0, "llm_summaries": False})
        engine = ready_engine(settings)
        nlq = NlqEngine(engine, settings)
        llm = nlq.llm()
        llm.warm()
        with Session(engine) as session:
            admin = actor_for(session, ADMIN)
        scope = nlq.scope_of(admin)

        totals: list[float] = []
        overheads: list[float] = []
        model_round_trips: list[float] = []
        statuses: dict[str, int] = {}
        for round_no in range(args.rounds):
            forget_query_vectors()  # every measured question is embedded afresh
            for question in questions:
                started = time.perf_counter()
                result = nlq.run(question, admin, translator="llm", today=TODAY, scope=scope)
                total = (time.perf_counter() - started) * 1000
                if round_no == 0 and args.rounds > 1:
                    continue
                totals.append(total)
                overheads.append(total - result.model_ms)
                model_round_trips.append(result.model_ms / (result.repair_rounds + 1))
                statuses[result.status] = statuses.get(result.status, 0) + 1

        steps: dict[str, list[float]] = {"retrieval": [], "prompt building": [], "guard": [], "execution": []}
        forget_query_vectors()
        for question in questions:
            request = TranslationRequest(question=question, actor=admin, today=TODAY, scope=scope)
            t0 = time.perf_counter()
            selection = llm.retriever.select(question)
            t1 = time.perf_counter()
            llm.build_messages(request, selection)
            t2 = time.perf_counter()
            try:
                tree = nlq.guard(gold[question], scope)
            except Exception:
                continue
            t3 = time.perf_counter()
            execute(engine, tree, timeout_ms=settings.query_timeout_ms, row_cap=settings.query_row_cap,
                    use_reader_role=nlq.reader_role)
            t4 = time.perf_counter()
            steps["retrieval"].append((t1 - t0) * 1000)
            steps["prompt building"].append((t2 - t1) * 1000)
            steps["guard"].append((t3 - t2) * 1000)
            steps["execution"].append((t4 - t3) * 1000)

        replay = replay_accuracy(Assistant(engine, settings, nlq=nlq), admin, gold, questions)
        sizes = prompt_sizes(nlq, llm, admin, scope)
        recall = table_recall(llm, gold, questions)

    figures: dict[str, Any] = {
        "questions": len(questions), "measured_runs": len(totals), "statuses": statuses,
        "overhead_ms": {"p50": round(percentile(overheads, 0.50), 2), "p95": round(percentile(overheads, 0.95), 2),
                        "max": round(max(overheads), 2)},
        "total_ms": {"p50": round(percentile(totals, 0.50), 2), "p95": round(percentile(totals, 0.95), 2)},
        "model_round_trip_ms": {"p50": round(percentile(model_round_trips, 0.50), 2),
                                "p95": round(percentile(model_round_trips, 0.95), 2)},
        "steps_ms": {name: {"p50": round(percentile(v, 0.50), 2), "p95": round(percentile(v, 0.95), 2)} for name, v in steps.items()},
        "tokens_exact_cl100k": is_exact(),
        **sizes,
        "table_recall": recall,
        "replay_accuracy": replay,
    }
    show(figures)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps(figures))


def replay_accuracy(assistant: Assistant, admin: Any, gold: dict[str, str], questions: list[str]) -> float:
    """Accuracy when the model writes exactly the gold SQL: what our side (guard, scope rewrite, row
    cap, answer building) costs a perfect model, compared the way `eval nlq` compares."""
    correct = 0
    for question in questions:
        answer = assistant.ask(question, admin, channel="eval", today=TODAY, audit=False, translator="llm")
        correct += answer.status == "answered" and _matches(answer, _gold(assistant, gold[question]))
    return round(correct / len(questions), 4)


def prompt_sizes(nlq: NlqEngine, llm: LlmTranslator, admin: Any, scope: Any) -> dict[str, Any]:
    """Tokens of the seed question's prompt and catalog part, as is and with 50 more custom fields."""
    request = TranslationRequest(question=SEED_QUESTION, actor=admin, today=TODAY, scope=scope)
    messages, selection = llm.build_messages(request)
    base_custom = load_custom_fields(nlq.engine)
    terms = load_database_terms(nlq.engine)
    wide_chunks = build_chunks(nlq.catalog, custom_fields=[*base_custom, *fifty_custom_fields()], terms=terms)
    wide = LlmTranslator(chat_model=None, prompts=llm.prompts, catalog=nlq.catalog, settings=nlq.settings,
                         retriever=Retriever(wide_chunks, llm.retriever.examples, model_name=nlq.settings.embedding_model,
                                             token_budget=nlq.settings.llm_catalog_token_budget,
                                             examples_k=nlq.settings.llm_examples))
    wide_messages, wide_selection = wide.build_messages(request)
    return {
        "seed_prompt_tokens": sum(count_tokens(str(m.content)) for m in messages),
        "seed_catalog_tokens": selection.catalog_tokens,
        "seed_chunks": list(selection.chunk_ids),
        "seed_prompt_tokens_50_custom_fields": sum(count_tokens(str(m.content)) for m in wide_messages),
        "seed_catalog_tokens_50_custom_fields": wide_selection.catalog_tokens,
        "whole_catalog_tokens": count_tokens("\n".join(c.text for c in llm.retriever.chunks)),
        "whole_catalog_tokens_50_custom_fields": count_tokens("\n".join(c.text for c in wide_chunks)),
    }


def table_recall(llm: LlmTranslator, gold: dict[str, str], questions: list[str]) -> dict[str, Any]:
    """Share of questions whose gold SQL needs only tables the pruned catalog kept, and its mean size."""
    known = {c.id.split(":", 1)[1] for c in llm.retriever.chunks if c.kind == "table"}
    vectors = embed(questions, name=llm.retriever.model_name)
    hits, tokens = 0, []
    for question, vector in zip(questions, vectors, strict=True):
        selection = llm.retriever.select(question, vector=vector)
        kept = {c.split(":", 1)[1] for c in selection.chunk_ids if c.startswith("table:")}
        needed = {t.name for t in sqlglot.parse_one(gold[question], read="postgres").find_all(exp.Table)} & known
        hits += needed <= kept
        tokens.append(selection.catalog_tokens)
    return {"recall": round(hits / len(questions), 4), "catalog_tokens_p50": round(percentile(tokens, 0.50)),
            "catalog_tokens_max": max(tokens)}


def show(figures: dict[str, Any]) -> None:
    table = Table(title=f"LLM translator, our side ({figures['questions']} questions, "
                        f"{figures['measured_runs']} measured runs, scripted model answering at once)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    o, t, m = figures["overhead_ms"], figures["total_ms"], figures["model_round_trip_ms"]
    table.add_row("overhead p50 / p95 / max", f"{o['p50']:.1f} / {o['p95']:.1f} / {o['max']:.1f} ms")
    for name, step in figures["steps_ms"].items():
        table.add_row(f"  {name} p50 / p95", f"{step['p50']:.2f} / {step['p95']:.2f} ms")
    table.add_row("model round trip p50 / p95 (client + HTTP)", f"{m['p50']:.1f} / {m['p95']:.1f} ms")
    table.add_row("total p50 / p95", f"{t['p50']:.1f} / {t['p95']:.1f} ms")
    table.add_row("statuses", ", ".join(f"{k} {v}" for k, v in figures["statuses"].items()))
    table.add_row("seed prompt (system + user)", f"{figures['seed_prompt_tokens']:,} tokens")
    table.add_row("  its catalog part", f"{figures['seed_catalog_tokens']:,} tokens")
    table.add_row("seed prompt, 50 more custom fields", f"{figures['seed_prompt_tokens_50_custom_fields']:,} tokens")
    table.add_row("  its catalog part", f"{figures['seed_catalog_tokens_50_custom_fields']:,} tokens")
    table.add_row("whole catalog / with 50 custom fields",
                  f"{figures['whole_catalog_tokens']:,} / {figures['whole_catalog_tokens_50_custom_fields']:,} tokens")
    r = figures["table_recall"]
    table.add_row("pruned catalog keeps the gold tables", f"{r['recall']:.1%}")
    table.add_row("pruned catalog p50 / max", f"{r['catalog_tokens_p50']:,} / {r['catalog_tokens_max']:,} tokens")
    table.add_row("token counts", "cl100k_base" if figures["tokens_exact_cl100k"] else "estimated")
    table.add_row("replay accuracy (model writes the gold SQL)", f"{figures['replay_accuracy']:.1%}")
    Console().print(table)


if __name__ == "__main__":
    main()
