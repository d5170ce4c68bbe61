"""``bench.md`` (the table), ``bench.json`` and ``bench.png`` from the run records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfasync.bench import prices


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits}f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    return f"{value:.4f}" if value < 10 else f"{value:,.2f}"


def _requests(breakdown: dict[str, float] | None) -> str:
    if not breakdown:
        return "-"
    parts = ", ".join(f"{k} {_num(v, 2)}" for k, v in breakdown.items() if k != "total")
    return f"**{_num(breakdown['total'], 2)}** ({parts})"


def label(run: dict[str, Any]) -> str:
    return run["backend"] if run["impl"] == "sfasync" else f"{run['backend']} (baseline)"


COLUMNS = [
    "backend",
    "function",
    "rows x bytes",
    "rows/s",
    "time-to-result p50 / p95 / p99 ms",
    "POST p50 ms",
    "GET p50 ms",
    "polls/batch",
    "storage requests/batch",
    "KB written / read per batch",
    "DynamoDB WCU / RCU per batch",
    "Comprehend calls/batch",
    "worker peak RSS MB",
    "$ per M rows: storage / requests / Comprehend",
    "$ per M rows total",
]


def row_cells(run: dict[str, Any]) -> list[str]:
    workload = [label(run), run["function"], f"{run['rows_per_batch']:,} x {run['row_bytes']:,} B"]
    if run["cannot_carry"]:
        return [*workload, f"**cannot carry**: {run['cannot_carry']}"] + ["-"] * (len(COLUMNS) - 4)
    ttr = run["latency_ms"]["time_to_result"]
    cost = run["cost_per_million_rows_usd"]
    kb = (
        f"{_num(run['bytes_written_per_batch'] / 1024)} / {_num(run['bytes_read_per_batch'] / 1024)}"
        if run["bytes_written_per_batch"] is not None
        else "-"
    )
    units = (
        f"{_num(run['dynamodb_write_units_per_batch'], 1)} / {_num(run['dynamodb_read_units_per_batch'], 1)}"
        if run["dynamodb_write_units_per_batch"] is not None
        else "-"
    )
    return [
        *workload,
        _num(run["throughput_rows_per_s"], 0),
        f"{_num(ttr['p50'], 0)} / {_num(ttr['p95'], 0)} / {_num(ttr['p99'], 0)}",
        _num(run["latency_ms"]["post"]["p50"]),
        _num(run["latency_ms"]["get"]["p50"]),
        _num(run["polls_per_batch"], 2),
        _requests(run["storage_requests_per_batch"]),
        kb,
        units,
        _num(run["comprehend_calls_per_batch"], 1),
        _num(run["worker_peak_rss_mb"], 0),
        " / ".join(_usd(cost[k]) for k in ("storage", "requests", "comprehend")) if cost else "-",
        f"**{_usd(cost['total'])}**" if cost else "-",
    ]


def markdown(runs: list[dict[str, Any]], environment: dict[str, Any]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(" --- " for _ in COLUMNS) + "|",
        *("| " + " | ".join(row_cells(run)) + " |" for run in runs),
        "",
        f"Prices: {prices.REGION}, dated {prices.DATE} (`sfasync/bench/prices.py`). "
        f"Latency model: {environment.get('latency_model', 'none')}. "
        f"Concurrency: {runs[0]['concurrency'] if runs else '-'} batches in flight; "
        f"{runs[0]['batches'] if runs else '-'} batches per row of the table.",
    ]
    if "handler_import_ms" in environment:
        lines.append(
            f"Cold-start imports: handler {environment['handler_import_ms']} ms, "
            f"boto3 alone {environment['boto3_import_ms']} ms (median of 3 fresh interpreters)."
        )
    load = environment.get("load_average_1m_at_end", "?")
    lines.append(
        f"Measured {environment.get('date_utc', '')} on {environment.get('platform', '')}, "
        f"{environment.get('cpu_count', '?')} CPUs (load average {load} at the end), "
        f"Python {environment.get('python', '')}, moto {environment.get('moto', '')}."
    )
    return "\n".join(lines) + "\n"


def document(runs: list[dict[str, Any]], environment: dict[str, Any]) -> dict[str, Any]:
    return {"runs": runs, "prices": prices.table(), "environment": environment}


def chart(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f"{label(r)}\n{r['function']} {r['rows_per_batch']}x{r['row_bytes']}B" for r in runs]
    x = list(range(len(runs)))
    fig, axes = plt.subplots(1, 3, figsize=(max(12, 3.2 * len(runs)), 4.8))
    ok = [not r["cannot_carry"] for r in runs]

    def cannot(ax: Any) -> None:
        for i, carried in enumerate(ok):
            if not carried:
                ax.text(i, 0, "cannot\ncarry", ha="center", va="bottom", color="firebrick", fontsize=8)

    ax = axes[0]
    ax.bar(x, [r["throughput_rows_per_s"] or 0 for r in runs], color="steelblue")
    ax.set_title("throughput (rows/s)")
    cannot(ax)

    ax = axes[1]
    width = 0.4
    p50 = [(r["latency_ms"]["time_to_result"]["p50"] or 0) for r in runs]
    p95 = [(r["latency_ms"]["time_to_result"]["p95"] or 0) for r in runs]
    ax.bar([i - width / 2 for i in x], p50, width, label="p50", color="seagreen")
    ax.bar([i + width / 2 for i in x], p95, width, label="p95", color="darkorange")
    ax.set_title("time to result (ms)")
    ax.legend()
    cannot(ax)

    ax = axes[2]
    # Comprehend bills per document either way and would dwarf the rest: it is written, not drawn.
    bottom = [0.0] * len(runs)
    for part, colour in (("storage", "slategray"), ("requests", "goldenrod")):
        values = [(r["cost_per_million_rows_usd"] or {}).get(part, 0.0) for r in runs]
        ax.bar(x, values, bottom=bottom, label=part, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for i, r in enumerate(runs):
        extra = (r["cost_per_million_rows_usd"] or {}).get("comprehend", 0.0)
        if extra:
            ax.text(i, bottom[i], f"+ ${extra:,.0f}\nComprehend", ha="center", va="bottom", fontsize=7)
    ax.set_title("USD per million rows: storage + requests")
    ax.legend()
    cannot(ax)

    for ax in axes:
        ax.set_xticks(x)
        ax.set_xticklabels(names, fontsize=7)
    fig.suptitle(f"sfasync bench -- prices {prices.REGION} {prices.DATE}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(out: Path, runs: list[dict[str, Any]], environment: dict[str, Any], *, png: bool = True) -> str:
    out.mkdir(parents=True, exist_ok=True)
    table = markdown(runs, environment)
    (out / "bench.md").write_text(table, encoding="utf-8")
    (out / "bench.json").write_text(
        json.dumps(document(runs, environment), indent=2) + "\n", encoding="utf-8"
    )
    if png:
        chart(runs, out / "bench.png")
    return table
