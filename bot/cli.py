"""The ``tradebot`` command line."""

from __future__ import annotations

import asyncio
import sys
from typing import Optional

import typer
from rich.console import Console

from bot.settings import SettingsError, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="tradebot — a conversational trade assistant for exporters.")
console = Console()
err = Console(stderr=True)


def _settings(**overrides: object):  # noqa: ANN202
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        err.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from None


def _container(settings):  # noqa: ANN001, ANN202
    from bot.bootstrap import bootstrap

    return bootstrap(settings)


def _build_index(knowledge, rebuild: bool = False):  # noqa: ANN001, ANN202
    """Build or update the knowledge index with a progress bar (nothing to do when current)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(collection: str, done: int, total: int) -> None:
            if collection not in tasks:
                tasks[collection] = bar.add_task(f"indexing {collection}", total=total)
            bar.update(tasks[collection], completed=done, total=total)

        return knowledge.ensure_index(progress=progress, rebuild=rebuild)


@app.command()
def index(rebuild: bool = typer.Option(False, "--rebuild", help="Re-embed everything.")) -> None:
    """Build the knowledge index (regulations, HS nomenclature, locations); incremental."""
    import time

    from knowledge.service import KnowledgeService

    settings = _settings()
    started = time.perf_counter()
    stats = _build_index(KnowledgeService(settings.resolved_index_dir, settings.chroma_url), rebuild)
    if stats is None:
        err.print("The knowledge index is up to date.")
    else:
        err.print(f"Index built in {time.perf_counter() - started:.1f} s: {stats}")


@app.command()
def classify(text: str = typer.Argument(..., help="Product description, or - to read one per line from stdin."),
             top: int = typer.Option(5, "--top", min=1, max=20, help="How many candidates."),
             as_json: bool = typer.Option(False, "--json", help="JSON (JSON Lines with -).")) -> None:
    """HS code candidates for a product description."""
    import json

    from knowledge.service import KnowledgeService

    settings = _settings()
    knowledge = KnowledgeService(settings.resolved_index_dir, settings.chroma_url)
    _build_index(knowledge)
    lines = [line.strip() for line in sys.stdin] if text == "-" else [text]
    for line in filter(None, lines):
        result = knowledge.classify(line, top=top)
        data = {"query": line, "candidates": [
            {"code": c.code, "heading": c.heading, "description": c.description, "score": round(c.score, 4)}
            for c in result.candidates]}
        if as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        else:
            console.print(f"[bold]{line}[/]")
            for c in data["candidates"]:
                console.print(f"  {c['code'][:4]}.{c['code'][4:]}  {c['score']:.2f}  {c['description']}")


@app.command()
def serve(host: Optional[str] = typer.Option(None, help="Address to bind (default 127.0.0.1)."),
          port: Optional[int] = typer.Option(None, help="Port (default 8080).")) -> None:
    """Run the HTTP service (webhook channels, staff console, sandbox platform)."""
    import uvicorn

    from bot.logs import configure_logging
    from bot.web import create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = _settings(**overrides)
    configure_logging(settings.log_level)
    container = _container(settings)
    _build_index(container.knowledge)  # first start: visible progress; later: nothing to do
    try:
        application = create_app(container, bind_host=settings.host)
    except SettingsError as exc:
        container.close()
        err.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from None
    err.print(f"[bold]tradebot[/] serving on http://{settings.host}:{settings.port} "
              f"(data in {settings.data_dir.resolve()})")
    try:
        uvicorn.run(application, host=settings.host, port=settings.port, log_config=None,
                    access_log=False)
    finally:
        container.close()


@app.command()
def ask(text: str = typer.Argument(..., help="The message."),
        sender: Optional[str] = typer.Option(None, help="Conversation key; successive calls continue it."),
        lang: Optional[str] = typer.Option(None, help="Reply language (en, de, zh, es, fr)."),
        as_json: bool = typer.Option(False, "--json", help="Print the turn JSON.")) -> None:
    """Send one message to the assistant."""
    from bot.channels.terminal import ask_once, default_sender, render, turn_json
    from bot.logs import configure_logging

    settings = _settings()
    configure_logging("WARNING")
    container = _container(settings)
    try:
        turn = asyncio.run(ask_once(container.service, text, sender or default_sender(), lang))
    finally:
        container.close()
    if as_json:
        sys.stdout.write(turn_json(turn) + "\n")
    else:
        render(turn, console)


@app.command()
def chat(lang: Optional[str] = typer.Option(None, help="Reply language (en, de, zh, es, fr)."),
         sender: Optional[str] = typer.Option(None, help="Conversation key.")) -> None:
    """Chat with the assistant in the terminal."""
    from bot.channels.terminal import chat_loop, default_sender
    from bot.logs import configure_logging

    settings = _settings()
    configure_logging("WARNING")
    container = _container(settings)
    try:
        chat_loop(container.service, sender or default_sender(), lang, console)
    finally:
        container.close()


staff_app = typer.Typer(help="Support-staff accounts.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def staff_add(name: str = typer.Argument(..., help="The staff member's login name.")) -> None:
    """Create a staff account; prints its API token once, alone on the last line."""
    from bot.staff.accounts import StaffExists

    settings = _settings()
    container = _container(settings)
    try:
        token = container.accounts.add(name)
    except (StaffExists, ValueError) as exc:
        err.print(f"[bold red]cannot create staff account: {exc}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    err.print(f"Created staff account [bold]{name}[/]. Keep this token; it is not shown again:")
    sys.stdout.write(token + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
