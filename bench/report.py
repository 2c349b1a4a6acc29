"""The bench's report: a table of figures beside their baselines, the same figures as JSON, and
a PNG chart. `figures(results)` is the one place that says what each target is."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    name: str
    product: str
    baseline: str
    ratio: float
    target: str
    met: bool


def _rate(side: dict, unit: str = "/s") -> str:
    return f"{side['rate']:,.0f}{unit}"


def _latency(side: dict) -> str:
    return f"p50 {side['p50_ms']:.1f} ms, p99 {side['p99_ms']:.1f} ms"


def _answered(side: dict) -> str:
    """How much of submit-to-routed the submission's own HTTP answer took."""
    answer = side.get("answer")
    return f" (POST answered: p50 {answer['p50_ms']:.1f} ms)" if answer else ""


def figures(results: dict) -> list[Figure]:
    intake, triage = results["intake"][0], results["triage"]
    latency, drain = triage["latency"], triage["drain"][0]
    board = results["growth"][0]["board"]
    engine, reminders = results["engine"], results["reminders"]
    clients = results["meta"]["sizes"]["concurrency"]
    # The engine's CPU time for a case over the time one triage process spends on a case.
    engine_share = drain["product"]["rate"] / engine["product"]["rate"]
    return [
        Figure(f"intake submissions/s, {clients} clients",
               f"{_rate(intake['product'])} ({_latency(intake['product'])})",
               f"{_rate(intake['baseline'])} ({_latency(intake['baseline'])})",
               intake["ratio"], ">= 0.3x, p99 < 50 ms",
               intake["ratio"] >= 0.3 and intake["product"]["p99_ms"] < 50),
        Figure(f"submit-to-routed at {results['meta']['sizes']['steady_rate']:.0f}/s",
               _latency(latency["product"]) + _answered(latency["product"]),
               _latency(latency["baseline"]),
               latency["ratio"], "p50 <= 4x", 0 < latency["ratio"] <= 4),
        Figure("triage sustained rate, 1 process", _rate(drain["product"]),
               _rate(drain["baseline"]), drain["ratio"], ">= 0.4x", drain["ratio"] >= 0.4),
        Figure("rule engine share of a triaged case",
               f"{engine['product']['per_case_us']:.0f} µs a case (engine, CPU)",
               f"{1e6 / drain['product']['rate']:.0f} µs a case (triage, 1 process)",
               engine_share, "<= 0.05x", engine_share <= 0.05),
        Figure("reminders dispatched/s", _rate(reminders["product"]),
               f"{_rate(reminders['baseline'])} (one connection; "
               f"{_rate(reminders['baseline_connection_per_message'])} opening one per message)",
               reminders["ratio"], ">= 0.3x",
               reminders["ratio"] >= 0.3),
        Figure(f"queue board server time ({board['route']})",
               f"p50 {board['product']['p50_ms']:.1f} ms",
               f"p50 {board['baseline']['p50_ms']:.1f} ms", board["ratio"], "<= 2x",
               board["ratio"] <= 2),
    ]


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def text(results: dict) -> str:
    meta = results["meta"]
    parts = [(f"clinic bench: {meta['servers']} servers, {meta['cpus']} CPUs, "
              f"{meta['seconds']:.0f} s; ratio = product / baseline, measured in the same run"),
             "",
             _table(["figure", "product", "baseline", "ratio", "target", "met"],
                    [[f.name, f.product, f.baseline, f"{f.ratio:.2f}", f.target,
                      "yes" if f.met else "NO"] for f in figures(results)]),
             "", "By worker processes (intake: uvicorn workers; triage: pool processes)",
             _table(["processes", "intake /s", "baseline /s", "ratio", "intake p99 ms",
                     "triage /s", "baseline /s", "ratio"],
                    [[str(i["workers"]), f"{i['product']['rate']:,.0f}",
                      f"{i['baseline']['rate']:,.0f}", f"{i['ratio']:.2f}",
                      f"{i['product']['p99_ms']:.0f}", f"{d['product']['rate']:,.0f}",
                      f"{d['baseline']['rate']:,.0f}", f"{d['ratio']:.2f}"]
                     for i, d in zip(results["intake"], results["triage"]["drain"],
                                     strict=False)]),
             "", ("By stored cases (1 API process; listing = queue board figure; plans: "
                  "EXPLAIN ANALYZE execution time)"),
             _table(["stored cases", "seeded in", "intake /s", "baseline /s", "ratio",
                     "listing p50 ms", "bare p50 ms", "ratio", "listing rows",
                     "follow-up claim", "outbox claim", "index-backed", "seq scans"],
                    [_growth_row(g) for g in results["growth"]])]
    parts += ["", "Hot query plans (EXPLAIN ANALYZE): execution time, indexes used"]
    for growth in results["growth"]:
        parts += [f"  {growth['stored_cases']:>9,} cases  {_plan_line(p)}" for p in growth["plans"]]
    largest = results["growth"][-1]
    parts += ["", f"EXPLAIN (ANALYZE, BUFFERS) at {largest['stored_cases']:,} stored cases"]
    for plan in largest["plans"]:
        parts += [f"-- {_plan_line(plan)}", *plan["plan"]]
    return "\n".join(parts)


def _plan_line(plan: dict) -> str:
    scans = f"; reads whole: {', '.join(plan['sequential_scans'])}" if plan[
        "sequential_scans"] else ""
    return (f"{plan['query']}: {plan['execution_ms']:.2f} ms, "
            f"{', '.join(plan['indexes']) or 'no index'}{scans}")


def _growth_row(growth: dict) -> list[str]:
    plans = {p["query"]: p for p in growth["plans"]}
    intake, board = growth["intake"], growth["board"]
    return [f"{growth['stored_cases']:,}", f"{growth['seed_seconds']:.0f} s",
            f"{intake['product']['rate']:,.0f}", f"{intake['baseline']['rate']:,.0f}",
            f"{intake['ratio']:.2f}", f"{board['product']['p50_ms']:.1f}",
            f"{board['baseline']['p50_ms']:.1f}", f"{board['ratio']:.2f}",
            f"{plans['queue listing (rows)']['execution_ms']:.2f} ms",
            f"{plans['follow-up claim']['execution_ms']:.2f} ms",
            f"{plans['outbox claim']['execution_ms']:.2f} ms",
            "yes" if all(p["index_backed"] for p in growth["plans"]) else "NO",
            ", ".join(sorted({t for p in growth["plans"] for t in p["sequential_scans"]}))
            or "none"]


def write(results: dict, directory: Path, stamp: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    data = {**results, "figures": [asdict(f) for f in figures(results)]}
    json_path, png_path = directory / f"bench-{stamp}.json", directory / f"bench-{stamp}.png"
    json_path.write_text(json.dumps(data, indent=2, default=str))
    chart(results, png_path)
    return json_path, png_path


def _target_ratio(target: str) -> float | None:
    found = re.search(r"[<>]= ?([\d.]+)x", target)
    return float(found.group(1)) if found else None


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ratios, workers, growth) = plt.subplots(1, 3, figsize=(17, 5))
    shown = figures(results)
    ratios.barh([f.name for f in shown], [f.ratio for f in shown],
                color=["tab:green" if f.met else "tab:red" for f in shown])
    for row, figure in enumerate(shown):  # each figure's own target, as a black mark
        if (bound := _target_ratio(figure.target)) is not None:
            ratios.vlines(bound, row - 0.42, row + 0.42, color="black", linewidth=2.5)
    ratios.invert_yaxis()
    ratios.set_xscale("log")
    ticks = [0.01, 0.05, 0.1, 0.3, 0.5, 1, 2, 4]
    ratios.set_xticks(ticks, [f"{t:g}x" for t in ticks])
    ratios.minorticks_off()
    ratios.axvline(1, color="grey", linewidth=0.8)
    ratios.set_title("product / baseline (green: target met; black: the target)")
    counts = [i["workers"] for i in results["intake"]]
    for label, series in (("intake", [i["product"]["rate"] for i in results["intake"]]),
                          ("intake baseline", [i["baseline"]["rate"] for i in results["intake"]]),
                          ("triage", [d["product"]["rate"] for d in results["triage"]["drain"]]),
                          ("triage baseline",
                           [d["baseline"]["rate"] for d in results["triage"]["drain"]])):
        workers.plot(counts[:len(series)], series, marker="o", label=label,
                     linestyle="--" if "baseline" in label else "-")
    workers.set(title="rate by worker processes", xlabel="processes", ylabel="per second",
                xticks=counts, yscale="log")
    workers.legend()
    sizes = [g["stored_cases"] for g in results["growth"]]
    growth.plot(sizes, [g["intake"]["product"]["rate"] for g in results["growth"]], marker="o",
                label="intake /s")
    growth.plot(sizes, [g["board"]["product"]["p50_ms"] for g in results["growth"]],
                marker="s", label="queue listing p50 ms")
    growth.set(title="by stored cases", xlabel="stored cases", xscale="log", yscale="log")
    growth.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
