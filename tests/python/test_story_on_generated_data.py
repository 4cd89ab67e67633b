"""The activation story holds on generated data (issues 4 and 14).

1,500 generated accounts (fixed seed, fixed end date) are loaded into a temporary DuckDB file
and built in-process as of the end date (one build for the module). Then the marts show the
shapes the seeds' benchmarks describe:

* the milestones build on each other: averaged over fully matured month cohorts, the 30-day
  setup rate is above the 30-day aha rate, which is above the 60-day team-habit rate, each in a
  plausible band around its benchmark, and most accounts with the team habit also reached the aha;
* the bottleneck diagnosis differs between cohorts: segment month cohorts with enough matured
  accounts get at least two different problems, and month cohorts range from onboarding_friction
  (the old onboarding flow) to on_track;
* seats are assigned at realistic speeds: a minority of seat increases stays unassigned past 14
  days, and the seat reminder is due for a minority of accounts;
* rpt_activation_retention: accounts that did not reach the aha moment within 30 days churn
  within 90 days about 3-5x as often as those that did, and not reaching setup or the team habit
  also raises churn;
* analyses/aha_moment_candidates.sql (compiled by dbt, run here): every aha event configured
  for a vertical in the aha_definitions seed is among that vertical's top three events by lift;
* fct_aha_candidates finds a behaviour clearly tied to staying in every large vertical, and
  judges the configured definitions; fct_milestone_survival orders the milestones and shows
  censoring at work on the youngest cohort.

If the generator's data stops showing this, the test fails: it is the product's claim that
activation predicts retention, and the generator's purpose to exhibit it. The bands are wider
than the story's targets by the spread between seeds at this size (measured on seeds 5, 11, 23
and 42), so they hold on any reasonable seed, not just by luck on this one.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

import summary
from conftest import AS_OF_DATE, PROJECT_ROOT, connect, generate, load, query

ACCOUNTS = 1500
SEED = 11
TOP_N = 3
# Averages over fully matured month cohorts (benchmarks: setup 0.70, aha 0.40, team habit 0.25).
RATE_BANDS = {"setup_rate_30d": (0.55, 0.80), "aha_rate_30d": (0.33, 0.52), "team_habit_rate_60d": (0.18, 0.32)}
MIN_RATE_GAP = 0.05  # setup above aha above team habit by at least this much
MIN_HABIT_WITH_AHA = 0.75  # share of team-habit accounts that also reached the aha
MIN_SEGMENT_MATURED = 20  # segment month cohorts judged for the diagnosis (60-day denominator)
PROBLEMS = {"onboarding_friction", "unclear_path_to_value", "single_user_dependency"}
UNASSIGNED_SHARE_BAND = (0.05, 0.20)  # seat increases at least 14 days old, unassigned past 14 days
MAX_SEAT_REMINDER_SHARE = 0.15  # accounts due a seat_assignment_reminder
MAX_MEDIAN_DAYS_TO_FULL_ASSIGNMENT = 3.0
# The seeds document 3-5x; at 1,500 accounts the ratio moves by about +-1 between seeds (2.9-5.1
# measured), so the test allows a little more on each side.
AHA_CHURN_RISK_BAND = (2.5, 6.5)
MIN_OTHER_CHURN_RISK = 1.5  # setup and team habit
MIN_CANDIDATE_POPULATION = 150  # 180-day matured accounts of a vertical judged for its best aha candidate

# generating, loading and building 1,500 accounts takes about 80 s on the reference machine
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def story_warehouse(tmp_path_factory, dbt) -> Path:
    root = tmp_path_factory.mktemp("story")
    raw = generate(root / "raw", accounts=ACCOUNTS, seed=SEED)
    database = root / "warehouse.duckdb"
    load(raw, database)
    run = dbt("build", "--full-refresh", database=database)
    assert run.success, "dbt build failed:\n" + "\n".join(run.failures()) + "\n" + run.text[-4000:]
    return database


def compiled_analysis(name: str, database: Path, workdir: Path) -> str:
    previous = os.environ.get("ACTIVATION_DUCKDB_PATH")
    os.environ["ACTIVATION_DUCKDB_PATH"] = str(database)
    try:
        result = dbtRunner().invoke([
            "compile", "--select", name, "--quiet",
            "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT),
            "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"),
            "--vars", f'{{"activation__as_of_date": "{AS_OF_DATE}"}}',
        ])
    finally:
        if previous is None:
            os.environ.pop("ACTIVATION_DUCKDB_PATH", None)
        else:
            os.environ["ACTIVATION_DUCKDB_PATH"] = previous
    assert result.success, result.exception
    [node_result] = result.result.results
    return node_result.node.compiled_code


def _table(header: str, rows: list[tuple]) -> str:
    return header + "\n" + "\n".join("  " + ", ".join(
        f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) for row in rows)


def test_milestones_build_on_each_other(story_warehouse):
    rows = query(story_warehouse, """
        select cohort_start_date, accounts_signed_up, setup_rate_30d, aha_rate_30d, team_habit_rate_60d,
            primary_bottleneck
        from marts.fct_activation_cohorts
        where cohort_grain = 'month' and accounts_matured_60d = accounts_signed_up
        order by cohort_start_date
    """)
    report = _table("month, accounts, setup, aha, team habit, bottleneck:", rows)
    assert len(rows) >= 6, "too few fully matured month cohorts to judge:\n" + report
    averages = {name: sum(row[2 + i] for row in rows) / len(rows) for i, name in enumerate(RATE_BANDS)}
    report += "\naverages: " + ", ".join(f"{name} {value:.3f}" for name, value in averages.items())
    outside = {name: value for name, value in averages.items()
               if not RATE_BANDS[name][0] <= value <= RATE_BANDS[name][1]}
    assert not outside, f"average rates outside their bands {RATE_BANDS}: {outside}\n{report}"
    setup, aha, habit = averages.values()
    assert setup - aha >= MIN_RATE_GAP and aha - habit >= MIN_RATE_GAP, (
        f"the milestones do not build on each other (setup > aha > team habit by {MIN_RATE_GAP}):\n{report}")

    [(habit_accounts, with_aha)] = query(story_warehouse, """
        select count(*), count(aha_at)
        from marts.fct_account_activation
        where team_habit_date is not null
    """)
    assert habit_accounts and with_aha / habit_accounts >= MIN_HABIT_WITH_AHA, (
        f"only {with_aha} of {habit_accounts} accounts with the team habit reached the aha moment")


def test_bottleneck_diagnosis_differs_between_cohorts(story_warehouse):
    segments = query(story_warehouse, f"""
        select vertical, motion, cohort_start_date, accounts_matured_60d, setup_rate_30d, aha_rate_30d,
            team_habit_rate_60d, primary_bottleneck
        from marts.fct_activation_cohorts_by_segment
        where cohort_grain = 'month' and accounts_matured_60d >= {MIN_SEGMENT_MATURED}
        order by vertical, motion, cohort_start_date
    """)
    report = _table("vertical, motion, month, matured 60d, setup, aha, team habit, bottleneck:", segments)
    problems = {row[-1] for row in segments} & PROBLEMS
    assert len(problems) >= 2, (
        f"segment month cohorts with >= {MIN_SEGMENT_MATURED} matured accounts show fewer than two "
        f"different problems ({sorted(problems)}):\n{report}")

    months = query(story_warehouse, """
        select cohort_start_date, setup_rate_30d, aha_rate_30d, team_habit_rate_60d, primary_bottleneck
        from marts.fct_activation_cohorts
        where cohort_grain = 'month' and accounts_matured_60d = accounts_signed_up
        order by cohort_start_date
    """)
    diagnoses = [row[-1] for row in months]
    assert "onboarding_friction" in diagnoses[:6] and "on_track" in diagnoses[-6:], (
        "month cohorts should go from onboarding_friction (the old onboarding flow) to on_track:\n"
        + _table("month, setup, aha, team habit, bottleneck:", months))


def test_seats_are_assigned_at_realistic_speeds(story_warehouse):
    [(increases, unassigned, median_days)] = query(story_warehouse, f"""
        select count(*), count(*) filter (where is_unassigned_over_14d), median(days_to_full_assignment)
        from marts.fct_seat_provisioning
        where license_change_at + interval 14 day <= timestamp '{AS_OF_DATE}' + interval 1 day
    """)
    [(accounts, reminded)] = query(story_warehouse, """
        select
            (select count(*) from marts.fct_account_activation),
            (select count(distinct account_id) from marts.rpt_activation_interventions_due
             where campaign = 'seat_assignment_reminder')
    """)
    report = (f"{unassigned} of {increases} seat increases unassigned past 14 days, median "
              f"{median_days:.2f} days to full assignment; reminder due for {reminded} of {accounts} accounts")
    low, high = UNASSIGNED_SHARE_BAND
    assert increases >= 100 and low <= unassigned / increases <= high, (
        f"want {low:.0%}-{high:.0%} of seat increases unassigned past 14 days: {report}")
    assert median_days <= MAX_MEDIAN_DAYS_TO_FULL_ASSIGNMENT, report
    assert 0 < reminded <= MAX_SEAT_REMINDER_SHARE * accounts, (
        f"want the seat reminder due for a minority (at most {MAX_SEAT_REMINDER_SHARE:.0%}) of accounts: {report}")


def test_activated_accounts_churn_three_to_five_times_less(story_warehouse):
    rows = query(story_warehouse, """
        select breakdown, segment, accounts, churned_90d, churn_rate_90d, relative_churn_risk
        from marts.rpt_activation_retention
        where breakdown in ('setup_complete', 'aha', 'team_habit')
        order by breakdown, segment_order
    """)
    by_key = {(breakdown, segment): row for breakdown, segment, *row in rows}
    report = _table("breakdown, segment, accounts, churned 90d, churn rate, relative risk:", rows)
    for breakdown in ("setup_complete", "aha", "team_habit"):
        assert min(by_key[(breakdown, s)][0] for s in ("reached", "not_reached")) >= 50, (
            f"too few matured accounts to judge {breakdown}:\n{report}")
    low, high = AHA_CHURN_RISK_BAND
    risk = by_key[("aha", "not_reached")][3]
    assert risk is not None and low <= risk <= high, (
        f"accounts without the aha moment in 30 days churn {risk}x as often as those with it "
        f"(want {low}-{high}):\n{report}")
    weak = {b: by_key[(b, "not_reached")][3] for b in ("setup_complete", "team_habit")
            if (by_key[(b, "not_reached")][3] or 0) <= MIN_OTHER_CHURN_RISK}
    assert not weak, f"relative churn risk at most {MIN_OTHER_CHURN_RISK}: {weak}\n{report}"


def test_aha_events_rank_in_each_verticals_top_three_by_lift(story_warehouse, tmp_path):
    sql = compiled_analysis("aha_moment_candidates", story_warehouse, tmp_path)
    ranks = {(vertical, event): (rank, lift) for vertical, event, rank, lift in query(
        story_warehouse,
        f"select vertical, event_name, lift_rank, smoothed_lift from ({sql}) as candidates")}
    with open(PROJECT_ROOT / "seeds" / "aha_definitions.csv", newline="") as seed:
        aha_events = [(row["vertical"], row["event_name"]) for row in csv.DictReader(seed)]
    misplaced = {key: ranks.get(key) for key in aha_events if ranks.get(key, (None,))[0] is None
                 or ranks[key][0] > TOP_N}
    assert not misplaced, (
        "aha events outside their vertical's top three by lift (rank, smoothed lift): "
        + repr(misplaced) + "\nTop three per vertical: "
        + repr(sorted((v, e, r) for (v, e), (r, _) in ranks.items() if r <= TOP_N)))


def test_aha_candidates_find_a_behaviour_that_separates_in_every_vertical(story_warehouse):
    """fct_aha_candidates: in every vertical with enough matured accounts the best-ranked
    behaviour goes with staying beyond doubt (its 95% interval above 1), and where the configured
    aha is common enough to judge it does too; collaboration's 10,000 messages are too rare to
    rank (flagged, never ranked)."""
    rows = query(story_warehouse, f"""
        select vertical, candidate, retained_did, churned_did, lift, lift_ci_lower, is_low_support, lift_rank
        from marts.fct_aha_candidates
        where (lift_rank = 1 and retained_accounts + churned_accounts >= {MIN_CANDIDATE_POPULATION})
           or candidate_type = 'aha_definition'
        order by vertical, lift_rank nulls last, candidate
    """)
    report = _table("vertical, candidate, retained did, churned did, lift, ci lower, low support, rank:", rows)
    best = {vertical: lower for vertical, _, _, _, _, lower, _, rank in rows if rank == 1}
    assert set(best) >= {"all", "collaboration", "analytics", "crm", "devtools"}, report
    assert all(lower > 1 for lower in best.values()), f"a vertical's best candidate is not clearly above 1:\n{report}"
    configured = {vertical: (lower, low, rank) for vertical, candidate, _, _, _, lower, low, rank in rows
                  if candidate == "aha definition reached"}
    judged = {v: c for v, c in configured.items() if not c[1]}
    assert {"analytics", "crm", "devtools"} <= set(judged), report
    assert all(lower > 1 and rank is not None for lower, _, rank in judged.values()), report
    assert configured["collaboration"][1] and configured["collaboration"][2] is None, report


def test_survival_curves_build_on_each_other_and_censor_young_accounts(story_warehouse):
    """fct_milestone_survival: over all signups the curves are ordered setup > aha > team habit
    by day 90, and for the youngest month the censored estimate is above the funnel's share
    (young accounts are not failures)."""
    shares = dict(query(story_warehouse, """
        select milestone, share_reached from marts.fct_milestone_survival
        where cohort_month is null and day_since_signup = 90
    """))
    assert shares["setup_complete"] > shares["aha"] > shares["team_habit"] > 0, shares
    [(month, day, km, naive)] = query(story_warehouse, """
        select cohort_month, day_since_signup, share_reached, naive_share_reached
        from marts.fct_milestone_survival
        where milestone = 'setup_complete'
          and cohort_month = (select max(cohort_month) from marts.fct_milestone_survival)
          and day_since_signup = 14
    """)
    assert km is not None and km > naive + 0.02, (month, day, km, naive)


def test_demo_summary_reads_the_marts(story_warehouse):
    """scripts/summary.py (the end of `make demo`): it names the as_of_date, and its survival
    and aha-candidate lines carry the marts' numbers."""

    with connect(story_warehouse) as con:  # summary.py opens it read-only; this process already has it open
        lines = summary.summarize(con)
    text = "\n".join(lines)
    assert lines[0].startswith(f"As of {AS_OF_DATE} "), lines[0]
    shares = dict(query(story_warehouse, "select milestone, share_reached from marts.fct_milestone_survival "
                                         "where cohort_month is null and day_since_signup = 90"))
    [survival] = [line for line in lines if line.startswith("Reached by day 90")]
    assert survival.endswith(f"setup {shares['setup_complete']:.1%}, aha {shares['aha']:.1%}, "
                             f"team habit {shares['team_habit']:.1%}"), survival
    best = query(story_warehouse, "select vertical, candidate, lift from marts.fct_aha_candidates where lift_rank = 1")
    assert best and all(f"  {vertical:<14} {candidate:<28} lift {'n/a' if lift is None else f'{lift:.1f}x'}" in text
                        for vertical, candidate, lift in best), text
