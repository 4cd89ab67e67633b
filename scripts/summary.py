"""Print a one-screen summary of the warehouse: what was loaded, what was quarantined, and what
the activation marts say (the latest fully matured month cohort against its benchmarks, the
milestones' survival curves at day 90, the best aha candidate per vertical, TAR health and the
intervention queue).

    python scripts/summary.py [--database PATH]

Reads the DuckDB file read-only (ACTIVATION_DUCKDB_PATH, default activation.duckdb).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_schema import RAW_SCHEMA, TABLES  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LATEST_MATURED_MONTH = """
select
    cohort_start_date, accounts_signed_up,
    setup_rate_30d, benchmark_setup_rate, meets_setup_benchmark,
    aha_rate_30d, benchmark_aha_rate, meets_aha_benchmark,
    team_habit_rate_60d, benchmark_team_habit_rate, meets_team_habit_benchmark,
    primary_bottleneck
from marts.fct_activation_cohorts
where cohort_grain = 'month' and accounts_matured_60d = accounts_signed_up
order by cohort_start_date desc
limit 1
"""


SURVIVAL_AT_DAY = """
select milestone, share_reached
from marts.fct_milestone_survival
where cohort_month is null and day_since_signup = ?
"""

BEST_AHA_CANDIDATES = """
select vertical, candidate, lift, lift_ci_lower, lift_ci_upper, support_accounts
from marts.fct_aha_candidates
where lift_rank = 1
order by vertical = 'all' desc, vertical, candidate
"""

MILESTONE_LABELS = {"setup_complete": "setup", "aha": "aha", "team_habit": "team habit"}
SURVIVAL_DAY = 90


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.1%}"


def _verdict(meets: bool | None) -> str:
    return {True: "meets benchmark", False: "below benchmark", None: "immature"}[meets]


def summarize(con: duckdb.DuckDBPyConnection) -> list[str]:
    # the TAR has a row for every account and date through as_of_date
    [(as_of_date,)] = con.execute("select max(metric_date) from marts.fct_account_tar_daily").fetchall()
    lines = [f"As of {as_of_date:%Y-%m-%d} (the marts count what happened before the end of that day, UTC)"
             if as_of_date else "As of: no account has signed up yet"]
    lines.append("Raw layer (rows loaded):")
    counts = [
        f"{name} {con.execute(f'select count(*) from {RAW_SCHEMA}.{name}').fetchone()[0]:,}"
        for name in TABLES
    ]
    lines.append("  " + ", ".join(counts))

    rejects = con.execute(
        "select source_table, reason, count(*) from dq.dq_rejected_rows group by all order by 3 desc"
    ).fetchall()
    total = sum(n for *_, n in rejects)
    lines.append(f"Quarantined rows (dq.dq_rejected_rows): {total:,}")
    for table, reason, n in rejects[:8]:
        lines.append(f"  {table:<17} {reason:<24} {n:>8,}")

    n_accounts, stages = con.execute(
        "select sum(n), string_agg(activation_stage || ' ' || n, ', ' order by n desc) from ("
        " select activation_stage, count(*) as n from marts.fct_account_activation group by 1)"
    ).fetchone()
    lines.append(f"Accounts: {n_accounts or 0:,} (by activation stage: {stages or 'none'})")

    cohort = con.execute(LATEST_MATURED_MONTH).fetchone()
    if cohort is None:
        lines.append("No month cohort is 60 days mature yet.")
    else:
        (start, signed_up, setup, setup_bm, setup_ok, aha, aha_bm, aha_ok,
         habit, habit_bm, habit_ok, bottleneck) = cohort
        lines.append(f"Latest fully matured month cohort: {start:%Y-%m} ({signed_up:,} accounts)")
        lines.append(f"  setup complete in 30d {_pct(setup)}  vs {_pct(setup_bm)}  {_verdict(setup_ok)}")
        lines.append(f"  aha moment in 30d     {_pct(aha)}  vs {_pct(aha_bm)}  {_verdict(aha_ok)}")
        lines.append(f"  team habit in 60d     {_pct(habit)}  vs {_pct(habit_bm)}  {_verdict(habit_ok)}")
        lines.append(f"  primary bottleneck: {bottleneck}")

    shares = dict(con.execute(SURVIVAL_AT_DAY, [SURVIVAL_DAY]).fetchall())
    if shares:
        lines.append(f"Reached by day {SURVIVAL_DAY} (Kaplan-Meier, young accounts censored): " + ", ".join(
            f"{label} {_pct(shares.get(milestone)).strip()}" for milestone, label in MILESTONE_LABELS.items()))

    best = con.execute(BEST_AHA_CANDIDATES).fetchall()
    if best:
        lines.append("Best aha candidate by vertical (first 14 days, retained vs churned at 180 days):")
        for vertical, candidate, lift, lower, upper, support in best:
            lift_text = "n/a" if lift is None else f"{lift:.1f}x"
            lines.append(f"  {vertical:<14} {candidate:<28} lift {lift_text} (95% {lower:.1f}-{upper:.1f}), "
                         f"{support:,} accounts")

    health = con.execute(
        "select coalesce(tar_health, 'no seats'), count(*) from marts.fct_account_activation"
        " group by 1 order by 2 desc"
    ).fetchall()
    lines.append("Team activation rate health: " + ", ".join(f"{h} {n:,}" for h, n in health))

    due = con.execute(
        "select campaign, count(*) from marts.rpt_activation_interventions_due group by 1 order by 2 desc"
    ).fetchall()
    lines.append(
        "Intervention queue (due and not yet sent): "
        + (", ".join(f"{c} {n:,}" for c, n in due) if due else "none")
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_db = os.environ.get("ACTIVATION_DUCKDB_PATH", str(PROJECT_ROOT / "activation.duckdb"))
    parser.add_argument("--database", default=default_db, help="DuckDB file (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        con = duckdb.connect(args.database, read_only=True)
    except duckdb.Error as exc:
        print(f"summary: cannot open {args.database}: {exc}", file=sys.stderr)
        return 2
    with con:
        print("\n".join(summarize(con)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
