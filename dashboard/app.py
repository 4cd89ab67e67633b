"""Activation dashboard: the serving file, for the people who act on the numbers.

    make dashboard        # http://127.0.0.1:8501, headless, usage statistics off

Reads only the serving file that scripts/nightly.py publishes ($ACTIVATION_SERVING_PATH, else
activation_serving.duckdb at the project root), opened read-only; never the warehouse. The
nightly replaces that file atomically (a new inode), and a connection already open keeps reading
the old snapshot, so every rerun compares the file's identity (device, inode, mtime, size) with
the one the current connection was opened on and reconnects when it changed; queries are cached
per snapshot, and the page checks for a new snapshot once a minute by itself. (The old
connection is closed when the last query running on it has finished.)

Sections: milestone rates of the signup cohorts against their benchmarks with the primary
bottleneck; milestone survival curves (Kaplan-Meier, young accounts censored); right-censored
TTFV percentiles; TAR health over time; the intervention queue; activation vs 90-day retention;
the early behaviours that separate retained from churned accounts (aha-moment candidates). Every number comes from a mart as published: rates are the
marts' own (counts over matured accounts), never re-derived here.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVING_ENV_VAR = "ACTIVATION_SERVING_PATH"
DEFAULT_SERVING = "activation_serving.duckdb"
ALL = "All verticals"

MILESTONES = [  # (label, rate column, benchmark column)
    ("Setup (30 days)", "setup_rate_30d", "benchmark_setup_rate"),
    ("Aha (30 days)", "aha_rate_30d", "benchmark_aha_rate"),
    ("Team habit (60 days)", "team_habit_rate_60d", "benchmark_team_habit_rate"),
]
BOTTLENECK_TEXT = {
    "onboarding_friction": "onboarding friction: setup rate below its problem threshold",
    "unclear_path_to_value": "unclear path to value: aha rate below its problem threshold",
    "single_user_dependency": "single-user dependency: team habit rate below its problem threshold",
    "on_track": "on track: no milestone below its problem threshold",
    "immature": "immature: a rate of the cascade has no matured account yet",
}
HEALTH_COLORS = {"healthy": "#2e7d32", "watch": "#f9a825", "at_risk": "#c62828"}
DATE = st.column_config.DateColumn(format="YYYY-MM-DD")


def serving_path() -> Path:
    configured = os.environ.get(SERVING_ENV_VAR)
    path = Path(configured) if configured else PROJECT_ROOT / DEFAULT_SERVING
    return path if path.is_absolute() else (Path.cwd() / path)


def file_identity(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size


@dataclass
class Snapshot:
    """One read-only connection to one published file."""

    path: Path
    identity: tuple[int, int, int, int]
    connection: duckdb.DuckDBPyConnection
    published_at: object
    as_of_date: object

    @classmethod
    def open(cls, path: Path) -> Snapshot:
        identity = file_identity(path)
        # An in-memory database that attaches the file read-only. duckdb.connect(path) would
        # hand back the database instance this process already has open for that path, which
        # still reads the replaced file: a new snapshot would never be seen.
        connection = duckdb.connect(":memory:")
        connection.execute("attach '" + str(path).replace("'", "''") + "' as serving (read_only)")
        connection.execute("use serving")
        published_at, as_of_date = connection.execute(
            "select published_at, as_of_date from meta.publication").fetchone()
        return cls(path, identity, connection, published_at, as_of_date)

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        cursor = self.connection.cursor()  # one per query: sessions run in their own threads
        try:
            cursor.execute("use serving")  # a cursor starts in the default (in-memory) catalog
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()


@st.cache_resource
def _snapshot_holder() -> dict:
    """Shared by every session of this server: the current snapshot and a lock."""
    return {"snapshot": None, "lock": threading.Lock()}


def current_snapshot(path: Path) -> Snapshot:
    """The open snapshot, reopened when the file at `path` is not the one it was opened on."""
    holder = _snapshot_holder()
    with holder["lock"]:
        snapshot = holder["snapshot"]
        if snapshot is None or snapshot.path != path or snapshot.identity != file_identity(path):
            # the previous connection closes once no running query holds it any more
            holder["snapshot"] = Snapshot.open(path)
        return holder["snapshot"]


# --------------------------------------------------------------------------------------------
# queries, cached per snapshot identity (a new file means new results)


@st.cache_data(max_entries=64)
def load(_snapshot: Snapshot, identity: tuple, name: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    return _snapshot.query(sql, list(params))


def cohorts(snapshot: Snapshot, grain: str) -> pd.DataFrame:
    return load(snapshot, snapshot.identity, "cohorts", """
        select cohort_start_date, accounts_signed_up, accounts_matured_30d, accounts_matured_60d,
               setup_rate_30d, aha_rate_30d, team_habit_rate_60d,
               benchmark_setup_rate, benchmark_aha_rate, benchmark_team_habit_rate,
               primary_bottleneck, is_latest_matured
        from marts.fct_activation_cohorts
        where cohort_grain = ?
        order by cohort_start_date""", (grain,))


def verticals(snapshot: Snapshot) -> list[str]:
    frame = load(snapshot, snapshot.identity, "verticals", """
        select vertical, count(*) as accounts from marts.dim_accounts
        group by vertical order by accounts desc, vertical""")
    return frame["vertical"].tolist()


def ttfv(snapshot: Snapshot, vertical: str) -> pd.DataFrame:
    return load(snapshot, snapshot.identity, "ttfv", """
        select cohort_month, accounts_matured_30d, reached_value_30d, share_within_target,
               target_ttfv_minutes, ttfv_p50_minutes, ttfv_p75_minutes, ttfv_p90_minutes
        from marts.fct_ttfv_cohorts
        where vertical = ?
        order by cohort_month""", (vertical,))


def tar_health(snapshot: Snapshot, vertical: str) -> pd.DataFrame:
    # one point a week, ending on as_of_date: accounts per health band on that date
    return load(snapshot, snapshot.identity, "tar", """
        select tar.metric_date, tar.tar_health, count(*) as accounts
        from marts.fct_account_tar_daily as tar
        inner join marts.dim_accounts as accounts on tar.account_id = accounts.account_id
        where tar.tar_health is not null
          and date_diff('day', tar.metric_date, (select as_of_date from meta.publication)) % 7 = 0
          and (? = 'All verticals' or accounts.vertical = ?)
        group by tar.metric_date, tar.tar_health
        order by tar.metric_date""", (vertical, vertical))


def interventions(snapshot: Snapshot, vertical: str) -> pd.DataFrame:
    return load(snapshot, snapshot.identity, "interventions", """
        select queue.due_date, queue.campaign, queue.account_id, accounts.account_name,
               accounts.vertical, accounts.motion, queue.days_since_signup, queue.reason
        from marts.rpt_activation_interventions_due as queue
        inner join marts.dim_accounts as accounts on queue.account_id = accounts.account_id
        where (? = 'All verticals' or accounts.vertical = ?)
        order by queue.due_date, queue.campaign, queue.account_id""", (vertical, vertical))


def survival(snapshot: Snapshot) -> pd.DataFrame:
    return load(snapshot, snapshot.identity, "survival", """
        select milestone, day_since_signup, share_reached, naive_share_reached, accounts_at_risk
        from marts.fct_milestone_survival
        where cohort_month is null
        order by milestone, day_since_signup""")


def aha_candidates(snapshot: Snapshot, vertical: str) -> pd.DataFrame:
    return load(snapshot, snapshot.identity, "aha_candidates", """
        select lift_rank, candidate, is_configured_aha, retained_rate, churned_rate, lift,
               lift_ci_lower, lift_ci_upper, support_accounts, is_low_support
        from marts.fct_aha_candidates
        where vertical = ?
        order by lift_rank nulls last, is_configured_aha desc, support_accounts desc, candidate""",
                (vertical,))


def retention(snapshot: Snapshot) -> pd.DataFrame:
    return load(snapshot, snapshot.identity, "retention", """
        select breakdown, segment, segment_order, accounts, churned_90d, churn_rate_90d,
               other_churn_rate_90d, relative_churn_risk
        from marts.rpt_activation_retention
        order by breakdown, segment_order""")


# --------------------------------------------------------------------------------------------
# sections


def _percent(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def section_cohorts(snapshot: Snapshot) -> None:
    st.header("Milestone rates by signup cohort")
    grain = st.radio("Cohort", ["month", "week"], horizontal=True, key="cohort_grain")
    frame = cohorts(snapshot, grain)
    if frame.empty:
        st.info("No signup cohort yet.")
        return
    latest = frame[frame["is_latest_matured"]]
    row = (latest if not latest.empty else frame).iloc[-1]
    st.markdown(f"**Latest fully matured {grain} cohort: {row['cohort_start_date']:%Y-%m-%d}** "
                f"({int(row['accounts_signed_up'])} accounts). Primary bottleneck: "
                f"**{BOTTLENECK_TEXT.get(row['primary_bottleneck'], row['primary_bottleneck'])}**.")
    columns = st.columns(len(MILESTONES))
    for column, (label, rate, benchmark) in zip(columns, MILESTONES):
        delta = None
        if not pd.isna(row[rate]):
            delta = f"{(row[rate] - row[benchmark]) * 100:+.0f} pts vs benchmark {row[benchmark]:.0%}"
        column.metric(label, _percent(row[rate]), delta)

    long = frame.melt(id_vars=["cohort_start_date"], value_vars=[m[1] for m in MILESTONES],
                      var_name="milestone", value_name="rate").dropna(subset=["rate"])
    names = {rate: label for label, rate, _ in MILESTONES}
    long["milestone"] = long["milestone"].map(names)
    benchmarks = pd.DataFrame([{"milestone": label, "benchmark": frame[benchmark].iloc[0]}
                               for label, _, benchmark in MILESTONES])
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("cohort_start_date:T", title="Cohort start"),
        y=alt.Y("rate:Q", title="Rate over matured accounts", axis=alt.Axis(format="%")),
        color=alt.Color("milestone:N", title="Milestone"),
        tooltip=["cohort_start_date:T", "milestone:N", alt.Tooltip("rate:Q", format=".1%")],
    )
    rules = alt.Chart(benchmarks).mark_rule(strokeDash=[6, 4]).encode(
        y="benchmark:Q", color=alt.Color("milestone:N"),
        tooltip=["milestone:N", alt.Tooltip("benchmark:Q", format=".0%", title="benchmark")])
    st.altair_chart((lines + rules).properties(height=320), width="stretch")
    st.caption("Dashed lines: benchmarks (seeds/activation_benchmarks.csv). A cohort's rate counts only "
               "accounts whose 30-day (60-day for team habit) window has elapsed; young cohorts have no point.")
    table = frame[["cohort_start_date", "accounts_signed_up", "accounts_matured_30d", "setup_rate_30d",
                   "aha_rate_30d", "accounts_matured_60d", "team_habit_rate_60d", "primary_bottleneck"]]
    st.dataframe(table.sort_values("cohort_start_date", ascending=False), hide_index=True, width="stretch",
                 column_config={"cohort_start_date": DATE})


def section_ttfv(snapshot: Snapshot, options: list[str], vertical: str) -> None:
    st.header("Time to first value")
    if not options:
        st.info("No account yet.")
        return
    chosen = vertical if vertical in options else st.selectbox("Vertical", options, key="ttfv_vertical")
    frame = ttfv(snapshot, chosen)
    percentiles = frame.melt(id_vars=["cohort_month"], value_vars=["ttfv_p50_minutes", "ttfv_p75_minutes",
                                                                   "ttfv_p90_minutes"],
                             var_name="percentile", value_name="minutes").dropna(subset=["minutes"])
    percentiles["percentile"] = percentiles["percentile"].str.extract(r"(p\d+)", expand=False)
    st.caption(f"{chosen}: percentiles over the accounts of each signup month whose 30 days have elapsed, "
               "accounts without value within their first 30 days last (right-censored: a percentile that falls "
               "on such an account is empty). Dashed line: the vertical's TTFV target.")
    if percentiles.empty:
        st.info(f"No matured {chosen} cohort yet.")
        return
    target = float(frame["target_ttfv_minutes"].iloc[0])
    lines = alt.Chart(percentiles).mark_line(point=True).encode(
        x=alt.X("cohort_month:T", title="Signup month"),
        y=alt.Y("minutes:Q", title="Minutes from signup (log scale)", scale=alt.Scale(type="symlog")),
        color=alt.Color("percentile:N", title="Percentile"),
        tooltip=["cohort_month:T", "percentile:N", alt.Tooltip("minutes:Q", format=",.1f")],
    )
    rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[6, 4], color="gray").encode(
        y="target:Q")
    st.altair_chart((lines + rule).properties(height=300), width="stretch")


def section_tar(snapshot: Snapshot, vertical: str) -> None:
    st.header("Team activation rate health over time")
    frame = tar_health(snapshot, vertical)
    if frame.empty:
        st.info("No account with licensed seats yet.")
        return
    chart = alt.Chart(frame).mark_area().encode(
        x=alt.X("metric_date:T", title="Date (weekly, ending on as_of_date)"),
        y=alt.Y("accounts:Q", stack=True, title="Accounts"),
        color=alt.Color("tar_health:N", title="TAR health",
                        scale=alt.Scale(domain=list(HEALTH_COLORS), range=list(HEALTH_COLORS.values()))),
        tooltip=["metric_date:T", "tar_health:N", "accounts:Q"],
    )
    st.altair_chart(chart.properties(height=280), width="stretch")
    st.caption("TAR = users with a value action in the last 30 days / licensed seats; healthy >= 0.60, "
               "at risk < 0.30. Accounts without licensed seats are left out.")


def section_interventions(snapshot: Snapshot, vertical: str) -> None:
    st.header("Intervention queue")
    frame = interventions(snapshot, vertical)
    st.metric("Interventions due", len(frame))
    if frame.empty:
        st.info("Nothing due as of this snapshot.")
        return
    by_campaign = frame.groupby("campaign", as_index=False).size().rename(columns={"size": "due"})
    chart = alt.Chart(by_campaign).mark_bar().encode(
        x=alt.X("due:Q", title="Due"), y=alt.Y("campaign:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=["campaign:N", "due:Q"])
    st.altair_chart(chart.properties(height=40 + 24 * len(by_campaign)), width="stretch")
    st.dataframe(frame, hide_index=True, width="stretch", column_config={"due_date": DATE})


def section_retention(snapshot: Snapshot) -> None:
    st.header("Activation vs retention")
    frame = retention(snapshot)
    if frame.empty:
        st.info("No account has matured 90 days yet.")
        return
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("churn_rate_90d:Q", title="90-day churn rate", axis=alt.Axis(format="%")),
        y=alt.Y("segment:N", sort=alt.SortField("segment_order"), title=None),
        row=alt.Row("breakdown:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["breakdown:N", "segment:N", "accounts:Q", alt.Tooltip("churn_rate_90d:Q", format=".1%"),
                 alt.Tooltip("relative_churn_risk:Q", format=".2f")],
    ).resolve_scale(y="independent")
    st.altair_chart(chart, width="content")
    st.caption("Over accounts matured 90 days. Relative churn risk: a segment's churn rate over that of all "
               "other matured accounts.")
    st.dataframe(frame.drop(columns=["segment_order"]), hide_index=True, width="stretch")


MILESTONE_LABELS = {"setup_complete": "Setup", "aha": "Aha", "team_habit": "Team habit"}


def section_survival(snapshot: Snapshot) -> None:
    st.header("Milestone survival curves")
    frame = survival(snapshot)
    if frame.empty:
        st.info("No account yet.")
        return
    frame = frame.assign(milestone=frame["milestone"].map(MILESTONE_LABELS))
    long = frame.melt(id_vars=["milestone", "day_since_signup"], value_vars=["share_reached", "naive_share_reached"],
                      var_name="estimate", value_name="share")
    long["estimate"] = long["estimate"].map({"share_reached": "Kaplan-Meier", "naive_share_reached": "Funnel"})
    chart = alt.Chart(long.dropna(subset=["share"])).mark_line().encode(
        x=alt.X("day_since_signup:Q", title="Days since signup"),
        y=alt.Y("share:Q", title="Share of accounts reached", axis=alt.Axis(format="%")),
        color=alt.Color("milestone:N", sort=list(MILESTONE_LABELS.values()), title="Milestone"),
        strokeDash=alt.StrokeDash("estimate:N", title=None, scale=alt.Scale(
            domain=["Kaplan-Meier", "Funnel"], range=[[1, 0], [4, 3]])),
        tooltip=["milestone:N", "estimate:N", "day_since_signup:Q", alt.Tooltip("share:Q", format=".1%")])
    st.altair_chart(chart.properties(height=320), width="stretch")
    st.caption("All signups. Kaplan-Meier (solid) leaves accounts too young to have reached a day out of its "
               "denominator; the funnel (dashed) counts them as not reached.")


def section_aha_candidates(snapshot: Snapshot, options: list[str]) -> None:
    st.header("Aha-moment candidates")
    choice = st.selectbox("Vertical", ["all"] + options, key="aha_vertical")
    frame = aha_candidates(snapshot, choice)
    if frame.empty:
        st.info("No account has matured 180 days yet.")
        return
    ranked = frame.dropna(subset=["lift_rank"]).head(12)
    if not ranked.empty:
        base = alt.Chart(ranked).encode(y=alt.Y("candidate:N", sort=alt.SortField("lift_rank"), title=None,
                                                axis=alt.Axis(labelLimit=260)))
        bars = base.mark_rule(strokeWidth=2).encode(
            x=alt.X("lift_ci_lower:Q", title="Lift (retained rate / churned rate), 95% interval",
                    scale=alt.Scale(type="log")),
            x2="lift_ci_upper:Q")
        points = base.mark_point(filled=True, size=60).encode(
            x="lift:Q", color=alt.Color("is_configured_aha:N", title="Configured aha"),
            tooltip=["candidate:N", alt.Tooltip("lift:Q", format=".2f"), alt.Tooltip("lift_ci_lower:Q", format=".2f"),
                     alt.Tooltip("lift_ci_upper:Q", format=".2f"), "support_accounts:Q"])
        st.altair_chart((bars + points).properties(height=40 + 24 * len(ranked)), width="stretch")
    st.caption("Accounts matured 180 days: what they did in their first 14 days, retained vs churned. Ranked by the "
               "interval's lower bound; candidates with too little support are listed, unranked.")
    st.dataframe(frame, hide_index=True, width="stretch")


@st.fragment(run_every=60)
def _watch_for_new_snapshot(path: Path, identity: tuple) -> None:
    """Once a minute: rerun the whole page when the nightly has published a new file."""
    try:
        changed = file_identity(path) != identity
    except FileNotFoundError:
        changed = False
    if changed:
        st.rerun()


def main() -> None:
    st.set_page_config(page_title="Activation dashboard", layout="wide")
    st.title("Activation dashboard")
    path = serving_path()
    if not path.exists():
        st.warning(f"No serving file at {path}. Publish one with `make nightly` "
                   f"(or set {SERVING_ENV_VAR}).")
        st.stop()
    snapshot = current_snapshot(path)
    st.caption(f"Serving file {path} · data as of **{snapshot.as_of_date}** · published "
               f"{snapshot.published_at:%Y-%m-%d %H:%M:%S} UTC (read-only)")
    _watch_for_new_snapshot(path, snapshot.identity)

    options = verticals(snapshot)
    vertical = st.sidebar.selectbox("Vertical (TTFV, TAR, queue)", [ALL] + options, key="vertical")

    section_cohorts(snapshot)
    section_survival(snapshot)
    section_ttfv(snapshot, options, vertical)
    section_tar(snapshot, vertical)
    section_interventions(snapshot, vertical)
    section_retention(snapshot)
    section_aha_candidates(snapshot, options)


main()
