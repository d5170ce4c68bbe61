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
        f"**{_usd(cost['total'])}**" if cost and cost["total"] is not None else "-",
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
    """Three panels (throughput, time to result, cost), one group of bars per workload and one
    colour per backend; a run that cannot carry its batch is marked where its bar would be."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(dict.fromkeys(_workload(r) for r in runs))
    targets = list(dict.fromkeys(label(r) for r in runs))
    colours = dict(
        zip(targets, ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"], strict=False)
    )
    width = 0.8 / max(1, len(targets))
    fig, axes = plt.subplots(3, 1, figsize=(max(8.0, 2.6 * len(workloads)), 10), sharex=True)

    def position(run: dict[str, Any]) -> float:
        return workloads.index(_workload(run)) - 0.4 + width * (targets.index(label(run)) + 0.5)

    throughput, latency, money = axes
    for run in runs:
        x, colour = position(run), colours[label(run)]
        if run["cannot_carry"]:
            for ax in axes:  # x in data, y in axes coordinates: visible on a log scale too
                ax.text(
                    x,
                    0.02,
                    "cannot\ncarry",
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color="firebrick",
                )
            continue
        throughput.bar(x, run["throughput_rows_per_s"] or 0, width, color=colour)
        ttr = run["latency_ms"]["time_to_result"]
        latency.bar(x, ttr["p50"] or 0, width, color=colour)
        latency.plot([x - width / 2, x + width / 2], [ttr["p95"] or 0] * 2, color="black", linewidth=1.5)
        split = run["cost_per_million_rows_usd"] or {}
        money.bar(x, split.get("storage") or 0, width, color=colour)
        money.bar(
            x,
            split.get("requests") or 0,
            width,
            bottom=split.get("storage") or 0,
            color=colour,
            alpha=0.45,
            hatch="//",
        )
    throughput.set_ylabel("rows / s")
    throughput.set_title("throughput")
    latency.set_ylabel("ms (log)")
    latency.set_yscale("log")
    latency.set_title("time to result: bar p50, line p95")
    money.set_ylabel("USD per million rows")
    money.set_title("cost: storage (solid) + Lambda and API Gateway (hatched); Comprehend not drawn")
    handles = [matplotlib.patches.Patch(color=colours[t], label=t) for t in targets]
    throughput.legend(handles=handles, fontsize=8, loc="upper right")
    money.set_xticks(range(len(workloads)))
    money.set_xticklabels(workloads)
    fig.suptitle(f"sfasync bench (prices {prices.REGION}, {prices.DATE})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _workload(run: dict[str, Any]) -> str:
    return f"{run['function']}\n{run['rows_per_batch']:,} rows x {run['row_bytes']:,} B"


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
