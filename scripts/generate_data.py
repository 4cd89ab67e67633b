#!/usr/bin/env python3
"""Generate the six raw tables of SPEC section 1 with a true-to-life activation story.

Usage::

    python scripts/generate_data.py --preset small --format csv --out data/raw
    python scripts/generate_data.py --accounts 150 --end-date 2025-06-30 --seed 7 --dirty-rate 0

Story model
-----------
Accounts sign up over ``[start_date, end_date]`` (default: the 540 days before end_date) with
exponential growth (about 3x more signups at the end than at the start), fewer at weekends.
Each account gets a vertical (collaboration, analytics, crm, devtools, plus a few odd labels such
as ``Fintech``, ``CRM`` or null that the warehouse maps to ``other``), a motion (plg or
sales_led), a time zone, and three latent traits that make the milestones build on each other
(probabilities per vertical and motion: ``SETUP_P``, ``AHA_P``, ``SPREAD_P``):

1. **setup done**: the account completes all five setup criteria within days. The others stall
   on one blocker: the integration (connected months later if ever), the teammate invite (they
   stay single-user) or the checklist. Accounts that signed up in the first third of the history
   went through the old onboarding flow and completed setup only ~2/3 as often.
2. **engaged**: the account finds its vertical's aha moment within 30 days; likely after setup
   (``AHA_P``), rarely without it.
3. **spread**: once activated, use spreads from the owner to the team, which builds the team
   habit; elsewhere teammates log in but leave the value actions to the owner.

Against the activation_benchmarks seed this reads: setup (~0.6-0.75) above aha (~0.4) above team
habit (~0.22) on average, and segments have their own bottlenecks. Analytics plg accounts stall
on connecting a data source (onboarding_friction); collaboration's aha (10,000 messages) needs a
team in full swing, which few accounts become (unclear_path_to_value; it also keeps the event
volume down); devtools accounts stay with the one developer who got the API working
(single_user_dependency); crm and sales-led accounts are on track; and the months of the old
onboarding flow show onboarding_friction.

* **Setup.** ``Workspace_Created`` seconds after signup (mostly a system event with a null
  user), ``Integration_Connected`` and ``Onboarding_Step_Completed`` (known step ids, rarely an
  unknown one) after a segment-dependent delay, ``Team_Member_Invited`` when the owner (or a
  first admin) invites teammates. Invitees get ``users`` rows (member/guest/admin, some never
  join). Accounts stalled on the invite stay single-user. Some accounts carry a vendor support user
  (``is_internal``, ``@vendor.io``) who also produces events; ~1% are test accounts.
* **Value.** Every account has a planned first value action (minutes after signup for engaged
  accounts, days or never for the others). Engaged accounts then reach their vertical's aha:
  collaboration teams start sending messages at once and pass 10,000 within days to weeks (the
  collaboration aha), analytics users create then share a dashboard, crm accounts import contacts
  then build a pipeline, devtools users run an API query within minutes, ``other`` accounts
  execute a core action. Non-engaged accounts never do their vertical's aha
  events (bar a rare partial attempt), so those events separate retained from churned accounts.
* **Rhythm.** Every joined user has a base activity level; each day he is active with a
  probability shaped by weekday (weekends are quiet), account engagement (non-engaged accounts
  explore for two weeks then fade), and an approaching cancellation (activity fades in the last
  30 days). Active days hold a session in local business hours with a login and Poisson counts of
  the vertical's value actions (by the owner only, unless the account activated and its use
  spread), so activated teams whose use spread build a team habit and the others do not.
* **Interventions.** The vendor's automation follows the playbook (setup_help day 3,
  core_feature_prompt day 5, aha_nudge day 7, invite_team day 14, route_to_csm day 30) using
  what it can observe, misses some sends, and never writes to canceled accounts. Some targets
  answer with a value action within 24 hours (half carrying ``{"trigger": ...}``), and a share
  of non-engaged accounts activates after the aha nudge or the CSM call (prompted aha).
* **Money.** plg accounts trial for 14 days (trialing rows with the seats they asked for), then
  convert or cancel; sales_led accounts buy seats up front for the first wave of their team. A
  few buyers keep a seat spare for the next hire. Teams that outgrow their seats upgrade for
  those who have joined, some accounts downgrade, and a few canceled accounts reactivate.
  Accounts that never activate churn ~4x as often within 90 days (at the trial end or within
  months), teams with a habit least. Seats are assigned to joined users after the purchase that
  covers them, usually within hours; a few admins take weeks and a very few seats are never
  handed out, so about one seat increase in eight stays unassigned past 14 days.
  Canceled accounts export their data (``Legacy_Export_Clicked``, an uncatalogued event name).
* **Delivery.** ``received_at`` is seconds after ``occurred_at`` (rarely hours to days: offline
  clients); ``_loaded_at`` is the next 6-hourly EL run after a row's last change (sometimes days
  later), so splitting any table on ``_loaded_at`` yields realistic nightly batches with late rows.
  Nothing happens after end_date except ``received_at``/``_loaded_at`` lag.
* **Dirt.** ``--dirty-rate r`` adds about ``r * rows`` extra rows per table, spread over every
  bad-input kind of SPEC section 3 (each kind at least once when r > 0): duplicate deliveries and
  re-exports, missing keys, unknown accounts, user/account mismatches, future and pre-signup
  timestamps, malformed properties, negative seats, inverted intervals, out-of-list values. Dirty
  rows are copies of clean rows, so the clean story is the same with or without dirt.

Accounts are simulated and written in chunks of ``CHUNK_ACCOUNTS`` with numpy (no per-event or
per-account Python loop); a writer thread appends each chunk to CSV (pyarrow) or Parquet
(one row group per chunk) while the next chunk is generated. The same arguments and seed give
byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_schema import TABLES  # noqa: E402

# ----------------------------------------------------------------------------- constants

DAY = 86_400
HOUR = 3_600
MINUTE = 60
NEVER = 2**62  # "does not happen" in planning arrays
NULL = -1  # null in output frames (ids, codes, timestamps)
CHUNK_ACCOUNTS = 2_000
PRESETS = {"small": 2_000, "medium": 20_000, "large": 100_000, "xlarge": 400_000}  # ~560-570 events per account
DEFAULT_HISTORY_DAYS = 540

# Effective verticals (index order used everywhere below).
COLLAB, ANALYTICS, CRM, DEVTOOLS, OTHER = range(5)
VERTICALS = ["collaboration", "analytics", "crm", "devtools"]
# Labels written to accounts.vertical: the four verticals, then odd labels that map to `other`.
VERTICAL_LABELS = VERTICALS + ["Fintech", "Healthcare", "CRM", None]
VERTICAL_P = [0.29, 0.25, 0.20, 0.21]  # the remaining 5% get an odd label
MOTIONS = ["plg", "sales_led"]

ROLES = ["owner", "admin", "member", "guest", "superuser"]  # last one: dirty only
OWNER, ADMIN, MEMBER, GUEST, BAD_ROLE = range(5)
STATUSES = ["trialing", "active", "canceled", "paused"]  # last one: dirty only
TRIALING, ACTIVE, CANCELED, BAD_STATUS = range(4)
CHANNELS = ["email", "in_app", "csm", "sms"]  # last one: dirty only
EMAIL, IN_APP, CSM, BAD_CHANNEL = range(4)
CAMPAIGNS = ["setup_help", "core_feature_prompt", "aha_nudge", "invite_team", "route_to_csm"]
CAMPAIGN_DAY = [3, 5, 7, 14, 30]
SETUP_HELP, CORE_PROMPT, AHA_NUDGE, INVITE_TEAM, ROUTE_TO_CSM = range(5)

EVENT_NAMES = [
    "Login",
    "Dashboard_Created",
    "Dashboard_Shared",
    "Report_Run",
    "Message_Sent",
    "Contacts_Imported",
    "Pipeline_Created",
    "API_Query_Succeeded",
    "Core_Action_Executed",
    "Workspace_Created",
    "Team_Member_Invited",
    "Integration_Connected",
    "Onboarding_Step_Completed",
    "Legacy_Export_Clicked",  # not in the event catalog
    "Beta_Feature_Toggled",  # not in the event catalog
]
(LOGIN, DASH_CREATED, DASH_SHARED, REPORT_RUN, MESSAGE_SENT, CONTACTS_IMPORTED, PIPELINE_CREATED,
 API_QUERY, CORE_ACTION, WORKSPACE_CREATED, MEMBER_INVITED, INTEGRATION_CONNECTED, ONBOARDING_STEP,
 LEGACY_EXPORT, BETA_TOGGLED) = range(len(EVENT_NAMES))
# Activity columns: login then the eight value actions, in EVENT_NAMES order (codes 0..8).
N_ACTIVITY = 9

# Value actions per active user-day, by effective vertical (columns = EVENT_NAMES[1:9]).
VALUE_RATES = np.array([
    # DashC DashS  Report  Msg   Contacts Pipeline API  Core
    [0.0, 0.0, 0.1, 1.5, 0.0, 0.0, 0.0, 0.8],  # collaboration
    [0.30, 0.18, 0.8, 0.1, 0.0, 0.0, 0.0, 0.4],  # analytics
    [0.0, 0.0, 0.2, 0.3, 0.12, 0.2, 0.0, 0.8],  # crm
    [0.0, 0.0, 0.1, 0.1, 0.0, 0.0, 1.6, 0.5],  # devtools
    [0.0, 0.0, 0.3, 0.2, 0.0, 0.0, 0.0, 1.0],  # other
])
# aha_definitions events per vertical: gated until the account's aha time.
AHA_EVENTS = {
    COLLAB: [MESSAGE_SENT],
    ANALYTICS: [DASH_CREATED, DASH_SHARED],
    CRM: [CONTACTS_IMPORTED, PIPELINE_CREATED],
    DEVTOOLS: [API_QUERY],
    OTHER: [CORE_ACTION],
}
AHA_GATE = np.zeros((5, N_ACTIVITY), dtype=bool)
for _v, _codes in AHA_EVENTS.items():
    AHA_GATE[_v, _codes] = True
# Non-engaged accounts occasionally try half of the aha (created a dashboard, imported contacts).
PARTIAL_AHA = np.zeros((5, N_ACTIVITY))
PARTIAL_AHA[ANALYTICS, DASH_CREATED] = 0.02
PARTIAL_AHA[CRM, CONTACTS_IMPORTED] = 0.02
# First value action of engaged / non-engaged accounts, and the answer to an intervention.
FIRST_VALUE_ENGAGED = np.array([MESSAGE_SENT, REPORT_RUN, CORE_ACTION, API_QUERY, CORE_ACTION])
FIRST_VALUE_OTHERS = np.array([CORE_ACTION, REPORT_RUN, CORE_ACTION, CORE_ACTION, REPORT_RUN])
AHA_IS_FIRST_VALUE = np.array([True, False, False, True, True])

# The three milestones build on each other, with probabilities per (vertical, motion) (rows:
# collaboration, analytics, crm, devtools, other; columns: plg, sales_led), chosen so that each
# segment shows a different bottleneck against the activation_benchmarks seed:
# * SETUP_P: the account completes setup (all five criteria) within days. Analytics plg accounts
#   stall on connecting a data source (onboarding_friction); sales-led accounts are onboarded.
# * AHA_P: an account that completed setup is engaged (finds its vertical's aha within 30 days);
#   without setup, ENGAGED_WITHOUT_SETUP of that. Collaboration's aha (10,000 messages) takes a
#   team in full swing, which few accounts become (unclear_path_to_value); each one that does
#   writes 11,000 events, so a higher rate would also multiply the data volume.
# * SPREAD_P: an activated account's use spreads beyond its owner, so the team builds a habit.
#   Devtools accounts stay with the one developer who got the API working (single_user_dependency).
# Accounts that signed up in the first OLD_ONBOARDING_SHARE of the history went through the old
# onboarding flow, which completed setup OLD_ONBOARDING_FACTOR times as often.
SETUP_P = np.array([[0.80, 0.88], [0.40, 0.80], [0.80, 0.90], [0.76, 0.84], [0.62, 0.76]])
AHA_P = np.array([[0.08, 0.20], [0.68, 0.72], [0.64, 0.72], [0.70, 0.72], [0.55, 0.65]])
SPREAD_P = np.array([[0.90, 0.90], [0.75, 0.85], [0.85, 0.90], [0.12, 0.35], [0.65, 0.75]])
ENGAGED_WITHOUT_SETUP = 0.25
OLD_ONBOARDING_SHARE, OLD_ONBOARDING_FACTOR = 0.33, 0.65
# Why an account that does not complete setup stalls: integration, teammate invite, checklist.
BLOCKER_P = [0.5, 0.25, 0.25]
INTEGRATION_BLOCKER, INVITE_BLOCKER, CHECKLIST_BLOCKER = range(3)
# Setup quality (the share of optional steps done), setup speed (median hours), median minutes
# to the first value action (engaged) and from the first value to the aha.
SETUP_QUALITY = np.array([[0.90, 0.92], [0.62, 0.80], [0.80, 0.88], [0.58, 0.68], [0.52, 0.62]])
SETUP_SPEED_H = np.array([[3, 10], [20, 30], [6, 16], [12, 24], [30, 40]], dtype=float)
FIRST_VALUE_MIN = np.array([4, 45, 20, 7, 90], dtype=float)
AHA_AFTER_FIRST_MIN = np.array([0, 600, 120, 0, 0], dtype=float)
SALES_LED_SLOWDOWN = 1.6

STEP_IDS = [
    "profile_completed",
    "teammate_invited",
    "integration_connected",
    "data_imported",
    "first_report_created",
    "notifications_configured",
]
UNKNOWN_STEP_IDS = ["tour_skipped", "legacy_welcome_wizard"]
FEATURES = ["search", "comments", "tasks", "files", "automations", "calendar"]
TRIGGERS = {EMAIL: "email", IN_APP: "in_app_prompt", CSM: "csm"}
MALFORMED_PROPERTIES = ['{"feature": "search"', "not json", "[1, 2]", '"x"', "42"]

# Property vocabulary: one code per literal JSON text; code 0 is null.
PROPERTIES: list[str | None] = [None, "{}"]
PROPERTIES += [f'{{"step_id": "{s}"}}' for s in STEP_IDS + UNKNOWN_STEP_IDS]
PROPERTIES += [f'{{"feature": "{f}"}}' for f in FEATURES]
PROPERTIES += [f'{{"trigger": "{t}"}}' for t in TRIGGERS.values()]
PROPERTIES += MALFORMED_PROPERTIES
P_EMPTY = 1
P_STEP = 2  # + index into STEP_IDS + UNKNOWN_STEP_IDS
P_FEATURE = P_STEP + len(STEP_IDS) + len(UNKNOWN_STEP_IDS)
P_TRIGGER = P_FEATURE + len(FEATURES)  # + channel code
P_MALFORMED = P_TRIGGER + len(TRIGGERS)

# Local hour-of-day profile of sessions (weekday-heavy rhythm comes from WEEKDAY_FACTOR).
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 11, 14, 15, 14, 12, 9, 6, 5, 4, 3, 2, 1], float)
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 0.95, 0.85, 0.2, 0.15])  # Monday..Sunday
TIMEZONES = np.array([-8, -7, -5, -4, -3, 0, 1, 2, 3, 5, 8, 9, 10])
TIMEZONE_P = np.array([8, 4, 10, 4, 3, 10, 12, 6, 2, 5, 4, 3, 2], float)
TIMEZONE_P /= TIMEZONE_P.sum()

FIRST_NAMES = (
    "ana ben carla david elena farid grace hiro ines jonas kai lena marco nadia omar paula quinn "
    "rosa sam tara umar vera will xena yusuf zoe alex bruno chloe dmitri emma felix gita hana ivan "
    "julia karim lucas mia noah olga pedro"
).split()
LAST_NAMES = (
    "smith garcia chen mueller rossi kim novak silva okafor patel dubois larsen tanaka kowalski "
    "nguyen jensen haddad moreau schmidt costa ivanova brown wilson fischer santos lopez wagner "
    "yilmaz ahmed berg cohen diaz evans fontaine gruber hall ito johansson keller lund"
).split()
COMPANY_ADJ = (
    "blue bright swift north silver clear bold prime green iron urban quiet rapid solid golden "
    "open lucky brave smart true"
).split()
COMPANY_NOUN = (
    "harbor peak river forge pixel orbit cedar falcon summit beacon atlas maple lantern vertex "
    "canyon quartz meadow signal harvest comet"
).split()
COMPANY_SUFFIX = ["Labs", "Inc", "GmbH", "Systems", "Group", "Studio", "Co", "Technologies"]


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Config:
    accounts: int
    start: dt.date
    end: dt.date
    seed: int
    dirty_rate: float

    @property
    def start_ts(self) -> int:
        return _epoch(self.start)

    @property
    def end_ts(self) -> int:
        """First second after end_date: everything must happen before it."""
        return _epoch(self.end) + DAY

    @property
    def n_chunks(self) -> int:
        return -(-self.accounts // CHUNK_ACCOUNTS)

    @property
    def account_width(self) -> int:
        return max(6, len(str(self.accounts + 1_000)))


def _epoch(d: dt.date) -> int:
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())


# ----------------------------------------------------------------------------- small helpers


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, size: int) -> np.ndarray:
    return np.asarray(median) * rng.lognormal(0.0, sigma, size)


def _el_load_time(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """When the EL tool lands a row last changed at t: next 6-hourly run, sometimes days later."""
    n = len(t)
    run = (t // (6 * HOUR) + 1) * (6 * HOUR) + 15 * MINUTE + rng.integers(0, 20 * MINUTE, n)
    late = rng.random(n) < 0.02
    return run + np.where(late, rng.integers(1, 4, n) * DAY, 0)


def _local_hour_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(24, n, p=HOUR_P) * HOUR + rng.integers(0, HOUR, n)


def _rank_within(groups: np.ndarray, order_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort rows by (group, key); return the permutation and each sorted row's rank in its group."""
    perm = np.lexsort((order_key, groups))
    g = groups[perm]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    rank = np.arange(len(g)) - np.repeat(starts, sizes)
    return perm, rank


# ----------------------------------------------------------------------------- the simulation


class ChunkSimulator:
    """Simulates one chunk of accounts; produces one frame (dict of column -> array) per table.

    Frames hold integers: global numbers for ids, vocabulary codes for enumerations, epoch
    seconds for timestamps, ``NULL`` (-1) for nulls. ``Writer`` turns them into Arrow tables.
    """

    def __init__(self, cfg: Config, chunk: int, signups: np.ndarray, first_account: int, counters: dict):
        self.cfg = cfg
        self.rng = np.random.default_rng([cfg.seed, 1, chunk])
        self.is_first_chunk = chunk == 0
        self.signup = signups
        self.n = len(signups)
        self.acc_num = np.arange(first_account, first_account + self.n) + 1  # acc_000001 ...
        self.counters = counters

    def _next_ids(self, table: str, n: int) -> np.ndarray:
        start = self.counters[table]
        self.counters[table] = start + n
        return np.arange(start + 1, start + n + 1)

    # --- accounts -----------------------------------------------------------------------

    def simulate(self) -> dict[str, dict]:
        self._plan_accounts()
        self._plan_users()
        self._plan_setup()
        self._plan_billing()
        self._plan_interventions()
        frames = {
            "accounts": self._accounts_frame(),
            "users": self._users_frame(),
            "subscriptions": self._subscriptions_frame(),
            "seat_assignments": self._seat_assignments_frame(),
            "events": self._events_frame(),
            "interventions": self._interventions_frame(),
        }
        if self.cfg.dirty_rate > 0:
            self._add_dirt(frames)
        return frames

    def _plan_accounts(self) -> None:
        rng, n, cfg = self.rng, self.n, self.cfg
        self.signup_day = self.signup // DAY
        label = rng.choice(len(VERTICALS), n, p=np.array(VERTICAL_P) / sum(VERTICAL_P))
        odd = rng.random(n) < 1 - sum(VERTICAL_P)
        label = np.where(odd, rng.integers(len(VERTICALS), len(VERTICAL_LABELS), n), label)
        self.vertical_label = label
        self.vert = np.where(odd, OTHER, label)
        self.motion = (rng.random(n) < np.where(self.vert == DEVTOOLS, 0.2, 0.35)).astype(np.int64)
        self.is_test = rng.random(n) < 0.01
        self.tz = rng.choice(TIMEZONES, n, p=TIMEZONE_P)
        # Setup, then the aha (mostly for accounts that set up), then the team habit (mostly for
        # activated accounts whose use spreads); early cohorts had the old onboarding flow.
        vm = self.vert, self.motion
        progress = (self.signup - cfg.start_ts) / max(cfg.end_ts - cfg.start_ts, 1)
        old_flow = np.where(progress < OLD_ONBOARDING_SHARE, OLD_ONBOARDING_FACTOR, 1.0)
        self.setup_done = rng.random(n) < SETUP_P[vm] * old_flow
        blocker = rng.choice(len(BLOCKER_P), n, p=BLOCKER_P)
        # sales-led accounts always invite their team: they stall on the integration instead
        blocker = np.where((blocker == INVITE_BLOCKER) & (self.motion == 1), INTEGRATION_BLOCKER, blocker)
        self.blocker = np.where(self.setup_done, NULL, blocker)
        self.engaged = rng.random(n) < AHA_P[vm] * np.where(self.setup_done, 1.0, ENGAGED_WITHOUT_SETUP)
        # A share of the others activates after the aha nudge or the CSM call.
        self.late = ~self.engaged & (rng.random(n) < 0.12)
        self.spread = rng.random(n) < SPREAD_P[vm]
        self.quality = np.clip(SETUP_QUALITY[vm] + 0.08 * (progress - 0.5), 0, 0.97)
        self.speed_h = SETUP_SPEED_H[vm] * np.where(self.engaged, 1.0, 1.8)

    # --- users --------------------------------------------------------------------------

    def _plan_users(self) -> None:
        rng, n, end = self.rng, self.n, self.cfg.end_ts
        sales = self.motion == 1
        team = np.where(
            sales,
            2 + np.floor(_lognormal(rng, 5.0, 0.8, n)),
            np.where(rng.random(n) < 0.2, 0, 1 + np.floor(_lognormal(rng, 2.5, 0.9, n))),
        )
        team = np.minimum(team + np.where(self.vert == COLLAB, np.floor(rng.random(n) * 3), 0), 80)
        # Accounts that complete setup invite someone (a collaboration team in full swing: two or
        # more); those stalled on the invite stay single-user.
        team = np.maximum(team, np.where(self.setup_done, np.where(self.engaged & (self.vert == COLLAB), 2, 1), 0))
        team = np.where(self.blocker == INVITE_BLOCKER, 0, team)
        self.n_invites = team.astype(np.int64)
        self.has_internal = rng.random(n) < 0.05
        size = 1 + self.n_invites + self.has_internal
        acc = np.repeat(np.arange(n), size)
        starts = np.r_[0, np.cumsum(size)[:-1]]
        pos = np.arange(len(acc)) - starts[acc]
        m = len(acc)
        internal = self.has_internal[acc] & (pos == size[acc] - 1)
        owner = pos == 0
        invitee = ~owner & ~internal

        u = rng.random(m)
        role = np.where(u < 0.05, ADMIN, np.where(u < 0.84, MEMBER, GUEST))
        # A first invitee is often a co-admin, but a member when the account completes setup.
        role = np.where((pos == 1) & (rng.random(m) < 0.3), ADMIN, role)
        role = np.where((pos == 1) & self.setup_done[acc], MEMBER, role)
        role = np.where(owner, OWNER, np.where(internal, ADMIN, role))

        # Invitations come in a first wave then trickle in as the team grows.
        first_invite = self.signup + _lognormal(rng, self.speed_h * HOUR, 1.2, n).astype(np.int64)
        first_invite = np.where(self.setup_done, np.minimum(first_invite, self.signup + 20 * DAY), first_invite)
        same_wave = (pos == 1) | (rng.random(m) < 0.5)
        offset = np.where(same_wave, rng.integers(0, 20 * MINUTE, m), rng.exponential(25 * DAY, m).astype(np.int64))
        invited = np.where(invitee, first_invite[acc] + offset, NEVER)
        invited = np.where(internal, self.signup[acc] + rng.integers(HOUR, 30 * DAY, m), invited)
        joins = rng.random(m) < np.where(self.engaged[acc], 0.88, 0.7)
        join_delay = np.minimum(_lognormal(rng, 2 * HOUR, 1.5, m), 20 * DAY).astype(np.int64)
        joined = np.where(invitee & joins, invited + join_delay, NEVER)
        joined = np.where(internal, invited + rng.integers(MINUTE, 30 * MINUTE, m), joined)
        joined = np.where(owner, self.signup[acc], joined)
        joined = np.where(joined >= end, NEVER, joined)
        # Later invites may come from the first invitee when she is an admin who has joined.
        second = starts[acc] + 1
        by_admin = (
            invitee & (pos >= 2) & (role[np.minimum(second, m - 1)] == ADMIN)
            & (joined[np.minimum(second, m - 1)] < invited) & (rng.random(m) < 0.4)
        )
        inviter = np.where(invitee, np.where(by_admin, second, starts[acc]), NULL)
        leaves = invitee & (joined < NEVER) & (rng.random(m) < 0.06)
        deactivated = np.where(leaves, joined + rng.integers(20 * DAY, 300 * DAY, m), NEVER)
        deactivated = np.where(deactivated >= end, NEVER, deactivated)

        # Nobody is invited after end_date, nor while the account is canceled (decided later:
        # invitations are planned here, and _plan_billing removes users invited after a cancel).
        keep = invited < end
        keep |= owner
        self._set_users(keep, acc, role, internal, invited, inviter, joined, deactivated, starts)

    def _set_users(self, keep, acc, role, internal, invited, inviter, joined, deactivated, starts) -> None:
        """Store user arrays restricted to `keep`, remapping inviter positions."""
        new_index = np.cumsum(keep) - 1
        self.u_acc = acc[keep]
        self.u_role = role[keep]
        self.u_internal = internal[keep]
        self.u_invited = invited[keep]
        inv = inviter[keep]
        self.u_inviter = np.where(inv >= 0, new_index[np.maximum(inv, 0)], NULL)
        self.u_joined = joined[keep]
        self.u_deactivated = deactivated[keep]
        self.owner = new_index[starts]

    # --- setup and value plan ------------------------------------------------------------

    def _plan_setup(self) -> None:
        rng, n = self.rng, self.n
        s, q = self.signup, self.quality
        engaged = self.engaged
        slow = np.where(self.motion == 1, SALES_LED_SLOWDOWN, 1.0)

        done, blocker = self.setup_done, self.blocker

        def setup_delay() -> np.ndarray:
            delay = _lognormal(rng, self.speed_h * HOUR, 1.1, n)
            return np.where(done, np.minimum(delay, 25 * DAY), delay).astype(np.int64)

        self.workspace_at = np.where(done | (rng.random(n) < 0.985), s + rng.integers(5, 120, n), NEVER)
        # Accounts stalled on the integration connect it after months if ever.
        connects = done | ((blocker != INTEGRATION_BLOCKER) & (rng.random(n) < q * np.where(engaged, 1.05, 0.85)))
        late_connect = (blocker == INTEGRATION_BLOCKER) & (rng.random(n) < 0.25)
        self.integration_at = np.select([connects, late_connect], [s + setup_delay(), s + rng.integers(31 * DAY, 150 * DAY, n)], NEVER)
        customer = ~self.u_internal
        any_invite = np.full(n, NEVER)
        np.minimum.at(any_invite, self.u_acc[customer], self.u_invited[customer])
        non_admin = customer & ((self.u_role == MEMBER) | (self.u_role == GUEST))
        self.non_admin_invite_at = np.full(n, NEVER)
        np.minimum.at(self.non_admin_invite_at, self.u_acc[non_admin], self.u_invited[non_admin])

        steps = np.full((n, len(STEP_IDS)), NEVER)
        steps[:, 0] = np.where(rng.random(n) < 0.95, s + rng.integers(MINUTE, 15 * MINUTE, n), NEVER)
        steps[:, 1] = np.where(any_invite < NEVER, any_invite + 30, NEVER)
        steps[:, 2] = np.where(self.integration_at < NEVER, self.integration_at + 30, NEVER)
        # Accounts that complete setup skip at most one of the last three steps; accounts stalled
        # on the checklist do at most one of them.
        skipped = np.where(done & (rng.random(n) < 0.3), rng.integers(3, len(STEP_IDS), n), NULL)
        kept = np.where(blocker == CHECKLIST_BLOCKER, rng.integers(3, len(STEP_IDS) + 1, n), NULL)
        for k in range(3, len(STEP_IDS)):
            does = np.select([done, blocker == CHECKLIST_BLOCKER], [skipped != k, kept == k], rng.random(n) < 0.5 + 0.5 * q)
            steps[:, k] = np.where(does, s + setup_delay(), NEVER)
        self.steps_at = steps
        self.checklist_at = np.sort(steps, axis=1)[:, 4]  # the 5th of 6 steps passes 0.8
        self.unknown_step_at = np.where(rng.random(n) < 0.03, s + rng.integers(MINUTE, DAY, n), NEVER)

        # First value action and aha (engaged accounts within 30 days).
        fv_engaged = _lognormal(rng, FIRST_VALUE_MIN[self.vert] * MINUTE * slow, 1.8, n)
        fv_others = np.where(done | (rng.random(n) < 0.7), np.minimum(_lognormal(rng, 6 * HOUR, 1.6, n), 20 * DAY), np.inf)
        fv = np.where(engaged, np.minimum(fv_engaged, 20 * DAY), fv_others)
        self.first_value_at = np.where(np.isfinite(fv), s + np.nan_to_num(fv, posinf=0).astype(np.int64), NEVER)
        aha_gap = _lognormal(rng, AHA_AFTER_FIRST_MIN[self.vert] * MINUTE * slow, 1.4, n).astype(np.int64)
        aha = np.minimum(self.first_value_at + aha_gap, s + 29 * DAY)
        self.aha_at = np.where(engaged, aha, NEVER)  # late activators get theirs in interventions
        # Engaged collaboration teams send enough messages to pass 10,000 in 3..26 days (a third in a week).
        self.big_collab = engaged & (self.vert == COLLAB)
        burst_days = np.where(rng.random(n) < 0.35, rng.uniform(2.5, 5.5, n), rng.uniform(5.5, 26, n))
        self.big_collab_days = np.where(self.big_collab, burst_days, 0.0)

    # --- subscriptions and seats ---------------------------------------------------------

    def _plan_billing(self) -> None:
        rng, n, end, s = self.rng, self.n, self.cfg.end_ts, self.signup
        sales = self.motion == 1
        activating = self.engaged | self.late
        start = s + np.where(sales, rng.integers(HOUR, 2 * DAY, n), rng.integers(30, 10 * MINUTE, n))
        trial_end = s + 14 * DAY + rng.integers(0, 6 * HOUR, n)
        paid_from = np.where(sales, start, trial_end)
        # Churn: accounts that never activate leave far more often (at the trial end or within
        # months); teams with a habit stay longest, and a completed setup helps a little.
        early_p = np.where(activating, 0.04, np.where(self.setup_done, 0.25, 0.36)) * np.where(sales, 0.6, 1.0)
        early_cancel = rng.random(n) < early_p
        early_at = np.where(sales, s + rng.integers(30 * DAY, 60 * DAY, n), trial_end)
        monthly_hazard = np.where(activating, np.where(self.spread, 0.016, 0.027), np.where(self.setup_done, 0.05, 0.08))
        later_at = paid_from + rng.exponential(30 * DAY / monthly_hazard).astype(np.int64)
        cancel = np.where(early_cancel, early_at, later_at)
        self.cancel_at = np.where(cancel < end, cancel, NEVER)
        react = self.cancel_at + rng.integers(20 * DAY, 150 * DAY, n)
        self.react_at = np.where((self.cancel_at < NEVER) & (rng.random(n) < 0.12) & (react < end), react, NEVER)

        # Drop users invited while the account is canceled (the owner always stays).
        dropped = (self.u_invited >= self.cancel_at[self.u_acc]) & (self.u_invited < NEVER)
        if dropped.any():
            keep = ~dropped
            self._set_users(keep, self.u_acc, self.u_role, self.u_internal, self.u_invited, self.u_inviter,
                            self.u_joined, self.u_deactivated, self.owner)
        # Users leave when the account cancels for good.
        gone = np.where(self.react_at < NEVER, NEVER, self.cancel_at)
        self.u_active_until = np.minimum(self.u_deactivated, gone[self.u_acc])

        # Seats: eligible users (customers, not guests, joined) ranked by join time.
        elig = np.flatnonzero(~self.u_internal & (self.u_role != GUEST) & (self.u_joined < NEVER))
        perm, rank = _rank_within(self.u_acc[elig], self.u_joined[elig])
        elig = elig[perm]
        e_acc = self.u_acc[elig]
        e_joined = self.u_joined[elig]

        def joined_by(t: np.ndarray) -> np.ndarray:
            return np.bincount(e_acc[e_joined <= t[e_acc]], minlength=n)

        # Buyers size the plan to the team: plg trials to those who join during the trial,
        # sales-led deals to the first wave (who join within 10 days); a few keep a seat spare
        # for the next hire (unassigned until someone else joins).
        first_wave = np.where(sales, joined_by(start + 10 * DAY), joined_by(trial_end))
        seats0 = (np.maximum(1, first_wave) + (rng.random(n) < np.where(sales, 0.08, 0.05))).astype(np.int64)
        total = np.bincount(e_acc, minlength=n)
        # Upgrade when the team outgrows its seats: shortly after the first user without one joins.
        overflow_join = np.full(n, NEVER)
        first_over = rank == seats0[e_acc]
        overflow_join[e_acc[first_over]] = self.u_joined[elig[first_over]]
        up_at = np.maximum(overflow_join, paid_from) + rng.integers(HOUR, 5 * DAY, n)
        upgrade = (total > seats0) & (up_at < np.minimum(self.cancel_at, end))
        seats1 = np.where(upgrade, joined_by(up_at) + (rng.random(n) < 0.1), seats0)
        self.upgrade_at = np.where(upgrade, up_at, NEVER)
        # Some quiet accounts cut seats later.
        down_at = np.maximum(s + rng.integers(60 * DAY, 400 * DAY, n), np.where(upgrade, up_at, paid_from) + DAY)
        downgrade = (seats1 >= 2) & (rng.random(n) < 0.10) & (down_at < np.minimum(self.cancel_at, end))
        seats2 = np.where(downgrade, np.maximum(1, seats1 - np.maximum(1, np.round(seats1 * rng.uniform(0.2, 0.5, n)))), seats1)
        seats2 = seats2.astype(np.int64)
        self.downgrade_at = np.where(downgrade, down_at, NEVER)
        self.sub_start, self.trial_end, self.sales = start, trial_end, sales
        self.seats0, self.seats1, self.seats2 = seats0, seats1, seats2

        # Seat assignments of eligible users.
        available = np.where(rank < seats0[e_acc], start[e_acc],
                             np.where(upgrade[e_acc] & (rank < seats1[e_acc]), up_at[e_acc], NEVER))
        m = len(elig)
        # Most seats are handed out within hours; a few admins take weeks (all their seats), and
        # a very few seats are never handed out.
        slow_admin = (rng.random(n) < 0.04)[e_acc]
        lag = np.where(slow_admin, rng.integers(15 * DAY, 45 * DAY, m),
                       np.minimum(_lognormal(rng, 4 * HOUR, 1.5, m), 10 * DAY).astype(np.int64))
        never = rng.random(m) < 0.005
        assigned = np.where(never | (available == NEVER), NEVER, np.maximum(e_joined, available) + lag)
        cut = np.where(downgrade[e_acc] & (rank >= seats2[e_acc]), self.downgrade_at[e_acc], NEVER)
        ends = np.minimum(np.minimum(self.u_deactivated[elig], self.cancel_at[e_acc]), cut)
        ok = (assigned < end) & (assigned < ends)
        a_user, a_acc, a_from, a_to = elig[ok], e_acc[ok], assigned[ok], ends[ok]
        # Reactivated accounts hand seats back to the users who held one at the cancel.
        back = (a_to == self.cancel_at[a_acc]) & (self.react_at[a_acc] < NEVER)
        r_from = self.react_at[a_acc[back]] + _lognormal(rng, DAY, 1.0, int(back.sum())).astype(np.int64)
        r_to = self.u_deactivated[a_user[back]]
        r_ok = (r_from < end) & (r_from < r_to)
        self.seat_user = np.r_[a_user, a_user[back][r_ok]]
        self.seat_from = np.r_[a_from, r_from[r_ok]]
        self.seat_to = np.r_[a_to, r_to[r_ok]]

    # --- interventions -------------------------------------------------------------------

    def _plan_interventions(self) -> None:
        rng, n, s, end = self.rng, self.n, self.signup, self.cfg.end_ts
        day = np.array(CAMPAIGN_DAY)

        def by(t: np.ndarray, days: int) -> np.ndarray:
            return t <= s + days * DAY

        criteria = [self.workspace_at, self.non_admin_invite_at, self.integration_at, self.checklist_at,
                    self.first_value_at]
        progress3 = sum(by(c, 3).astype(float) for c in criteria) / len(criteria)
        customer_joined = ~self.u_internal & (self.u_role != OWNER) & (self.u_role != ADMIN) & (self.u_joined < NEVER)
        first_member_join = np.full(n, NEVER)
        np.minimum.at(first_member_join, self.u_acc[customer_joined], self.u_joined[customer_joined])
        joined_by_30 = ~self.u_internal & (self.u_joined <= s[self.u_acc] + 30 * DAY)
        users_by_30 = np.bincount(self.u_acc[joined_by_30], minlength=n)
        due = np.stack([
            progress3 < 0.5,
            ~by(self.first_value_at, 5),
            ~by(self.aha_at, 7),
            ~by(first_member_join, 14),
            (users_by_30 < 3) | ~self.engaged,
        ], axis=1)
        send_p = np.array([0.85, 0.8, 0.85, 0.8, 0.7])
        sent = due & (rng.random(due.shape) < send_p)
        acc, camp = np.nonzero(sent)
        k = len(acc)
        send_day = (s[acc] // DAY + day[camp] + rng.choice(2, k, p=[0.7, 0.3])) * DAY
        sent_at = send_day + rng.integers(9 * HOUR, 17 * HOUR, k) - self.tz[acc] * HOUR
        sent_at = np.maximum(sent_at, s[acc] + day[camp] * DAY)
        alive = (sent_at < self.cancel_at[acc]) & (sent_at < end)
        acc, camp, sent_at = acc[alive], camp[alive], sent_at[alive]
        k = len(acc)
        u = rng.random(k)
        channel = np.select(
            [camp == SETUP_HELP, camp == CORE_PROMPT, camp == AHA_NUDGE, camp == INVITE_TEAM],
            [np.where(u < 0.8, EMAIL, IN_APP), np.where(u < 0.7, IN_APP, EMAIL), np.where(u < 0.5, EMAIL, IN_APP), EMAIL],
            CSM,
        )
        to_owner = np.select(
            [camp == SETUP_HELP, camp == AHA_NUDGE, camp == ROUTE_TO_CSM], [rng.random(k) < 0.4, rng.random(k) < 0.5, False], True
        )
        self.itv_acc, self.itv_campaign, self.itv_channel, self.itv_sent = acc, camp, channel, sent_at
        self.itv_user = np.where(to_owner, self.owner[acc], NULL)

        # Late activators reach their aha a few hours after the aha nudge or the CSM call.
        converting = self.late[acc] & ((camp == AHA_NUDGE) | (camp == ROUTE_TO_CSM))
        first = np.full(n, NEVER)
        np.minimum.at(first, acc[converting], sent_at[converting])
        late_aha = first + rng.integers(10 * MINUTE, 20 * HOUR, n)
        has_late = first < NEVER
        self.late_aha_channel = np.full(n, EMAIL)
        self.late_aha_channel[acc[converting][::-1]] = channel[converting][::-1]  # the first send wins
        self.late_aha_from = np.where(has_late, late_aha, NEVER)
        self.aha_at = np.where(has_late, late_aha, self.aha_at)
        self.first_value_at = np.minimum(self.first_value_at, self.aha_at)
        # Other targets answer with a value action within 24 hours.
        answer_p = np.array([0.25, 0.35, 0.5])[channel] * np.where(self.engaged[acc], 1.0, 0.6)
        answers = ~converting & (rng.random(k) < answer_p)
        self.answer_acc = acc[answers]
        self.answer_user = np.where(self.itv_user[answers] >= 0, self.itv_user[answers], self.owner[acc[answers]])
        self.answer_at = sent_at[answers] + np.minimum(rng.exponential(3 * HOUR, int(answers.sum())), 23.5 * HOUR).astype(np.int64)
        self.answer_channel = channel[answers]

    # --- frames -------------------------------------------------------------------------

    def _accounts_frame(self) -> dict:
        rng, n = self.rng, self.n
        names = [
            f"{COMPANY_ADJ[a].title()} {COMPANY_NOUN[b].title()} {COMPANY_SUFFIX[c]}"
            for a, b, c in zip(*(rng.integers(0, len(w), n) for w in (COMPANY_ADJ, COMPANY_NOUN, COMPANY_SUFFIX)))
        ]
        names = [f"QA Test {num}" if t else name for name, num, t in zip(names, self.acc_num, self.is_test)]
        self.account_domain = [
            f"test-{num}.example.com" if t else f"{name.split()[0].lower()}{name.split()[1].lower()}{num}.com"
            for name, num, t in zip(names, self.acc_num, self.is_test)
        ]
        return {
            "account_id": self.acc_num,
            "account_name": pa.array(names, pa.string()),
            "vertical": self.vertical_label,
            "motion": self.motion,
            "created_at": self.signup,
            "is_test_account": self.is_test.astype(np.int64),
            "_loaded_at": _el_load_time(rng, self.signup),
        }

    def _users_frame(self) -> dict:
        rng = self.rng
        m = len(self.u_acc)
        self.user_num = self._next_ids("users", m)
        acc = self.u_acc
        # Distinct first/last name pairs within an account: step through the pairs with a stride.
        pos = np.arange(m) - self.owner[acc]
        pair = (rng.integers(0, 10**6, self.n)[acc] + pos * 37) % (len(FIRST_NAMES) * len(LAST_NAMES))
        first, last = pair % len(FIRST_NAMES), pair // len(FIRST_NAMES)
        emails = [
            f"{FIRST_NAMES[f]}.{LAST_NAMES[la]}+{self.acc_num[a]}@vendor.io" if i
            else f"{FIRST_NAMES[f]}.{LAST_NAMES[la]}@{self.account_domain[a]}"
            for f, la, a, i in zip(first.tolist(), last.tolist(), acc.tolist(), self.u_internal.tolist())
        ]
        changed = np.maximum.reduce([
            self.u_joined * (self.u_joined < NEVER),
            self.u_invited * (self.u_invited < NEVER),
            self.u_deactivated * (self.u_deactivated < NEVER),
            self.signup[acc],
        ])
        return {
            "user_id": self.user_num,
            "account_id": self.acc_num[acc],
            "email": pa.array(emails, pa.string()),
            "role": self.u_role,
            "is_internal": self.u_internal.astype(np.int64),
            "invited_at": _nullable(self.u_invited),
            "invited_by_user_id": np.where(self.u_inviter >= 0, self.user_num[np.maximum(self.u_inviter, 0)], NULL),
            "joined_at": _nullable(self.u_joined),
            "deactivated_at": _nullable(self.u_deactivated),
            "_loaded_at": _el_load_time(rng, changed),
        }

    def _subscriptions_frame(self) -> dict:
        rng, n, end = self.rng, self.n, self.cfg.end_ts
        idx = np.arange(n)
        first_status = np.where(self.sales, ACTIVE, TRIALING)
        converts = ~self.sales & (self.cancel_at > self.trial_end) & (self.trial_end < end)
        rows = [
            (idx, self.sub_start, first_status, self.seats0, np.ones(n, bool)),
            (idx, self.trial_end, np.full(n, ACTIVE), self.seats0, converts),
            (idx, self.upgrade_at, np.full(n, ACTIVE), self.seats1, self.upgrade_at < NEVER),
            (idx, self.downgrade_at, np.full(n, ACTIVE), self.seats2, self.downgrade_at < NEVER),
            (idx, self.cancel_at, np.full(n, CANCELED), np.zeros(n, np.int64), self.cancel_at < NEVER),
            (idx, self.react_at, np.full(n, ACTIVE), self.seats2, self.react_at < NEVER),
        ]
        acc, at, status, seats = (np.concatenate([r[i][r[4]] for r in rows]) for i in range(4))
        order = np.lexsort((at, acc))
        acc, at, status, seats = acc[order], at[order], status[order], seats[order]
        return {
            "subscription_change_id": self._next_ids("subscriptions", len(acc)),
            "account_id": self.acc_num[acc],
            "changed_at": at,
            "status": status,
            "licensed_seats": seats,
            "_loaded_at": _el_load_time(rng, at),
        }

    def _seat_assignments_frame(self) -> dict:
        order = np.lexsort((self.seat_from, self.seat_user))
        user, start, stop = self.seat_user[order], self.seat_from[order], self.seat_to[order]
        stop = np.where(stop < self.cfg.end_ts, stop, NULL)
        return {
            "seat_assignment_id": self._next_ids("seat_assignments", len(user)),
            "account_id": self.acc_num[self.u_acc[user]],
            "user_id": self.user_num[user],
            "assigned_at": start,
            "unassigned_at": stop,
            "_loaded_at": _el_load_time(self.rng, np.maximum(start, stop)),
        }

    def _interventions_frame(self) -> dict:
        order = np.lexsort((self.itv_sent, self.itv_acc))
        acc, user = self.itv_acc[order], self.itv_user[order]
        return {
            "intervention_id": self._next_ids("interventions", len(acc)),
            "account_id": self.acc_num[acc],
            "user_id": np.where(user >= 0, self.user_num[np.maximum(user, 0)], NULL),
            "channel": self.itv_channel[order],
            "campaign": self.itv_campaign[order],
            "sent_at": self.itv_sent[order],
            "_loaded_at": _el_load_time(self.rng, self.itv_sent[order]),
        }

    # --- events -------------------------------------------------------------------------

    def _events_frame(self) -> dict:
        parts = [self._activity_events(), *self._explicit_events()]
        acc, user, name, ts, prop = (np.concatenate([p[i] for p in parts]) for i in range(5))
        # Nothing after end_date, after a user left, or while the account is canceled.
        cancel, react = self.cancel_at[acc], self.react_at[acc]
        until = np.where(user >= 0, self.u_active_until[np.maximum(user, 0)], NEVER)
        keep = (ts < self.cfg.end_ts) & (ts < until) & ((ts < cancel) | (ts >= react)) & (ts >= self.signup[acc])
        acc, user, name, ts, prop = acc[keep], user[keep], name[keep], ts[keep], prop[keep]
        order = np.argsort(acc * (1 << 40) + (ts - self.cfg.start_ts + 100 * DAY), kind="stable")
        acc, user, name, ts, prop = acc[order], user[order], name[order], ts[order], prop[order]
        rng, k = self.rng, len(acc)
        received = ts + np.minimum(_lognormal(rng, 2.0, 1.0, k), 15 * MINUTE).astype(np.int64)
        offline = rng.random(k) < 0.004
        received += np.where(offline, rng.integers(HOUR, 3 * DAY, k), 0)
        return {
            "event_id": self._next_ids("events", k),
            "account_id": self.acc_num[acc],
            "user_id": np.where(user >= 0, self.user_num[np.maximum(user, 0)], NULL),
            "event_name": name,
            "occurred_at": ts,
            "received_at": received,
            "properties": prop,
            "_loaded_at": _el_load_time(rng, received),
        }

    def _activity_events(self) -> tuple:
        """Sessions of joined users: a login and Poisson counts of value actions per active day."""
        rng, end_day = self.rng, (self.cfg.end_ts - 1) // DAY
        users = np.flatnonzero(self.u_joined < NEVER)
        acc = self.u_acc[users]
        first_day = self.u_joined[users] // DAY
        last_day = np.minimum(end_day, np.minimum(self.u_active_until[users], NEVER - 1) // DAY)
        n_days = np.maximum(last_day - first_day + 1, 0)
        rows = np.repeat(np.arange(len(users)), n_days)
        day = first_day[rows] + np.arange(len(rows)) - np.repeat(np.cumsum(n_days) - n_days, n_days)
        ua = acc[rows]
        age = day - self.signup_day[ua]

        # Probability that the user is active that day.
        role = self.u_role[users]
        internal = self.u_internal[users]
        base = np.where(role == OWNER, 0.45, np.where(role == GUEST, 0.1, rng.uniform(0.08, 0.4, len(users))))
        base = np.where(internal, 0.05, base) * np.where(self.big_collab[acc], 1.3, 1.0)
        base = np.minimum(base, 0.95)
        activated = self.engaged[ua] | (day >= self.late_aha_from[ua] // DAY)
        fading = np.where(age < 14, 0.9, 0.12 + 0.78 * np.exp(-(age - 14) / 12.0))
        life = np.where(activated, np.where(age < 90, 1.0, 0.85), fading)
        cancel_day = self.cancel_at[ua] // DAY
        life *= np.where(cancel_day - day < 21, np.clip((cancel_day - day) / 21.0, 0.5, 1.0), 1.0)
        p = base[rows] * WEEKDAY_FACTOR[(day + 3) % 7] * life
        # Value actions come from the owner, and from the whole team only once the account has
        # activated and its use spread; elsewhere teammates log in and look around.
        team_value = np.where((users[rows] == self.owner[ua]) | (activated & self.spread[ua]), 1.0, 0.01)
        # Big collaboration teams: a message rate that passes 10,000 by the end of their burst.
        burst = self.big_collab[ua] & (age <= self.big_collab_days[ua]) & ~self.u_internal[users[rows]]
        burst_days = np.bincount(ua[burst], weights=(p * team_value)[burst], minlength=self.n)
        burst_rate = 11_000 / np.maximum(burst_days, 1.0)
        active = np.flatnonzero(rng.random(len(p)) < p)
        rows, day, ua, age, team_value = rows[active], day[active], ua[active], age[active], team_value[active]
        user = users[rows]
        k = len(rows)

        # Event counts per active day: [login, eight value actions].
        vert = self.vert[ua]
        internal = self.u_internal[user]
        lam = VALUE_RATES[vert].copy()
        gated = AHA_GATE[vert][:, 1:]
        has_aha = self.aha_at[ua] < NEVER
        lam *= np.where(gated & ~has_aha[:, None] & ~internal[:, None], PARTIAL_AHA[vert][:, 1:], 1.0)
        lam *= np.where(self.u_role[user] == GUEST, 0.3, 1.0)[:, None]
        msg = np.where(age <= self.big_collab_days[ua], burst_rate[ua], VALUE_RATES[COLLAB, MESSAGE_SENT - 1] * 0.6)
        lam[:, MESSAGE_SENT - 1] = np.where(self.big_collab[ua], msg, lam[:, MESSAGE_SENT - 1])
        lam *= team_value[:, None]
        no_value = (self.first_value_at[ua] == NEVER) & ~internal
        lam[no_value] = 0.0
        counts = np.empty((k, N_ACTIVITY), dtype=np.int64)
        counts[:, 0] = 1 + (rng.random(k) < 0.2)
        counts[:, 1:] = rng.poisson(lam)
        flat = np.repeat(np.arange(k * N_ACTIVITY), counts.ravel())
        row, code = flat // N_ACTIVITY, flat % N_ACTIVITY

        # Timestamps: a session in local business hours (the join moment on the joining day).
        session = day * DAY + _local_hour_seconds(rng, k) - self.tz[ua] * HOUR
        joined = self.u_joined[user]
        session = np.where(session < joined, joined + rng.integers(MINUTE, 20 * MINUTE, k), session)
        e_ts = session[row] + (rng.exponential(1500, len(row)) * np.where(code == LOGIN, 0.1, 1.0)).astype(np.int64)
        e_acc, e_user = ua[row], user[row]
        e_vert = vert[row]
        # Value actions start at the account's first value action; aha actions at its aha.
        e_internal = internal[row]
        gate = np.where(code == LOGIN, 0, self.first_value_at[e_acc])
        gate = np.where(AHA_GATE[e_vert, code] & (self.aha_at[e_acc] < NEVER), self.aha_at[e_acc], gate)
        keep = (e_ts >= gate) | e_internal
        e_acc, e_user, code, e_ts = e_acc[keep], e_user[keep], code[keep], e_ts[keep]
        prop = np.zeros(len(code), np.int64)
        core = code == CORE_ACTION
        u = rng.random(len(code))
        prop[core] = np.where(u[core] < 0.75, P_FEATURE + rng.integers(0, len(FEATURES), int(core.sum())),
                              np.where(u[core] < 0.8, P_EMPTY, 0))
        return e_acc, e_user, code, e_ts, prop

    def _explicit_events(self) -> list[tuple]:
        """Setup, first value, aha, answers to interventions and exports: one-off events."""
        rng, n, s, owner = self.rng, self.n, self.signup, self.owner
        idx = np.arange(n)
        parts = []

        def add(mask, acc, user, name, ts, prop=0) -> None:
            k = int(mask.sum())
            as_array = lambda v: np.broadcast_to(np.asarray(v, dtype=np.int64), mask.shape)[mask]  # noqa: E731
            if k:
                parts.append((as_array(acc), as_array(user), as_array(name), as_array(ts), as_array(prop)))

        system = rng.random(n) < 0.7
        add(self.workspace_at < NEVER, idx, np.where(system, NULL, owner), WORKSPACE_CREATED, self.workspace_at)
        add(self.integration_at < NEVER, idx, owner, INTEGRATION_CONNECTED, self.integration_at)
        second = rng.random(n) < 0.25
        add((self.integration_at < NEVER) & second, idx, owner, INTEGRATION_CONNECTED,
            self.integration_at + rng.integers(DAY, 60 * DAY, n))
        for step in range(len(STEP_IDS)):
            add(self.steps_at[:, step] < NEVER, idx, owner, ONBOARDING_STEP, self.steps_at[:, step], P_STEP + step)
        add(self.unknown_step_at < NEVER, idx, owner, ONBOARDING_STEP, self.unknown_step_at,
            P_STEP + len(STEP_IDS) + rng.integers(0, len(UNKNOWN_STEP_IDS), n))
        invited = (self.u_inviter >= 0) & ~self.u_internal
        add(invited, self.u_acc, np.maximum(self.u_inviter, 0), MEMBER_INVITED, self.u_invited)

        # First value action, then the aha events (the first value may itself be the aha).
        engaged = self.engaged
        fv_name = np.where(engaged, FIRST_VALUE_ENGAGED[self.vert], FIRST_VALUE_OTHERS[self.vert])
        fv_is_aha = engaged & AHA_IS_FIRST_VALUE[self.vert]
        planned_fv = (self.first_value_at < NEVER) & ~((self.late_aha_from < NEVER) & (self.first_value_at == self.aha_at))
        add(planned_fv & ~fv_is_aha, idx, owner, fv_name, self.first_value_at)
        trigger = np.where(self.late_aha_from < NEVER, P_TRIGGER + self.late_aha_channel, 0)
        has_aha = self.aha_at < NEVER
        lead = rng.integers(2 * MINUTE, 40 * MINUTE, n)
        for v, codes in AHA_EVENTS.items():
            for i, code in enumerate(codes):
                at = self.aha_at - (lead if i < len(codes) - 1 else 0)
                add(has_aha & (self.vert == v), idx, owner, code, np.maximum(at, s + 1), trigger)

        # Answers to interventions, half of them tagged with the trigger.
        tagged = rng.random(len(self.answer_acc)) < 0.5
        ok = np.ones(len(self.answer_acc), bool)
        add(ok, self.answer_acc, self.answer_user, FIRST_VALUE_OTHERS[self.vert[self.answer_acc]],
            self.answer_at, np.where(tagged, P_TRIGGER + self.answer_channel, 0))

        # Exports before a cancel; a rare beta toggle anywhere.
        exporting = (self.cancel_at < NEVER) & (rng.random(n) < 0.5)
        for _ in range(2):
            at = np.maximum(self.cancel_at - rng.integers(HOUR, 20 * DAY, n), s + HOUR)
            add(exporting & (rng.random(n) < 0.7), idx, owner, LEGACY_EXPORT, at)
        span = np.maximum(self.cfg.end_ts - s, 2)
        add(rng.random(n) < 0.02, idx, owner, BETA_TOGGLED, s + (rng.random(n) * span).astype(np.int64))
        return parts

    # --- dirty rows ---------------------------------------------------------------------

    def _add_dirt(self, frames: dict) -> None:
        """Append copies of clean rows carrying every bad-input kind of SPEC section 3."""
        rng = self.rng
        rate = self.cfg.dirty_rate
        unknown_acc = self.cfg.accounts + 1 + rng.integers(0, 999, 64)

        def count(n_rows: int, n_kinds: int) -> int:
            k = rng.poisson(rate * n_rows / n_kinds)
            return max(k, 1) if self.is_first_chunk else k

        def copies(frame: dict, k: int, rows: np.ndarray | None = None) -> dict:
            pool = rows if rows is not None else np.arange(len(next(iter(frame.values()))))
            pick = pool[rng.integers(0, len(pool), k)] if len(pool) else np.zeros(0, np.int64)
            return {c: (v.take(pick) if isinstance(v, pa.Array) else v[pick].copy()) for c, v in frame.items()}

        extra = {t: [] for t in frames}
        for table, frame in frames.items():
            key = TABLES[table].key
            n_rows = len(frame[key])
            if n_rows == 0:
                continue
            kinds = DIRTY_KINDS[table]
            for kind in kinds:
                k = count(n_rows, len(kinds))
                if k == 0:
                    continue
                rows = None
                if kind == "user_account_mismatch":
                    rows = np.flatnonzero(frame["user_id"] >= 0)
                d = copies(frame, k, rows)
                k = len(d[key])
                if k == 0:
                    continue
                if kind not in ("duplicate", "duplicate_exact", "missing_event_id", "missing_key"):
                    d[key] = self._next_ids(table, k)
                self._corrupt(table, kind, d, k, unknown_acc)
                extra[table].append(d)
        for table, parts in extra.items():
            if parts:
                frames[table] = {c: _concat([frames[table][c]] + [p[c] for p in parts]) for c in frames[table]}

    def _corrupt(self, table: str, kind: str, d: dict, k: int, unknown_acc: np.ndarray) -> None:
        rng = self.rng
        key = TABLES[table].key
        if kind == "duplicate_exact":
            return
        if kind == "duplicate":
            if table == "events":  # a redelivery: later received_at, later load
                d["received_at"] = d["received_at"] + rng.integers(MINUTE, 2 * DAY, k)
            if table == "accounts":  # a re-export after a rename
                d["account_name"] = pa.array([f"{x} (renamed)" for x in d["account_name"].to_pylist()], pa.string())
            d["_loaded_at"] = d["_loaded_at"] + rng.integers(HOUR, 5 * DAY, k)
        elif kind in ("missing_key", "missing_event_id"):
            d[key] = np.full(k, NULL)
            if table == "accounts":  # an export glitch: a control character in the name
                d["account_name"] = pa.array([f"{x}\x1f" for x in d["account_name"].to_pylist()], pa.string())
        elif kind == "missing_occurred_at":
            d["occurred_at"] = np.full(k, NULL)
        elif kind in ("unknown_account",):
            acc = unknown_acc[rng.integers(0, len(unknown_acc), k)]
            d["account_id"] = np.where((table == "events") & (rng.random(k) < 0.3), NULL, acc)
        elif kind == "user_account_mismatch":
            d["user_id"] = self._user_of_another_account(d["account_id"])
        elif kind == "future_timestamp":
            d["received_at"] = d["occurred_at"] - rng.integers(DAY + HOUR, 5 * DAY, k)
            d["_loaded_at"] = _el_load_time(rng, d["received_at"])
        elif kind in ("before_signup", "near_signup"):
            signup = self.signup[d["account_id"] - self.acc_num[0]]
            back = rng.integers(2 * DAY, 90 * DAY, k) if kind == "before_signup" else rng.integers(HOUR, 22 * HOUR, k)
            d["occurred_at"] = signup - back
            d["received_at"] = d["occurred_at"] + rng.integers(1, 30, k)
            d["_loaded_at"] = _el_load_time(rng, d["received_at"])
            if kind == "near_signup":  # an early login, clock skew: kept, clamped to signup
                d["event_name"] = np.full(k, LOGIN)
                d["properties"] = np.zeros(k, np.int64)
        elif kind == "malformed_properties":
            d["properties"] = P_MALFORMED + rng.integers(0, len(MALFORMED_PROPERTIES), k)
        elif kind == "negative_seats":
            d["licensed_seats"] = -rng.integers(1, 10, k)
        elif kind == "invalid_interval":
            d["unassigned_at"] = d["assigned_at"] - rng.integers(HOUR, 10 * DAY, k)
        elif kind == "unknown_value":
            column, bad = {"users": ("role", BAD_ROLE), "subscriptions": ("status", BAD_STATUS),
                           "interventions": ("channel", BAD_CHANNEL)}[table]
            d[column] = np.full(k, bad)
        else:
            raise ValueError(kind)

    def _user_of_another_account(self, account_num: np.ndarray) -> np.ndarray:
        """A user id that belongs to a different account (a made-up one if the chunk has one)."""
        k, m = len(account_num), len(self.user_num)
        pick = self.rng.integers(0, m, k)
        other = self.acc_num[self.u_acc[pick]] != account_num
        return np.where(other, self.user_num[pick], 90_000_000 + pick)


DIRTY_KINDS = {
    "accounts": ["missing_key", "duplicate"],
    "users": ["missing_key", "unknown_account", "unknown_value", "duplicate"],
    "subscriptions": ["missing_key", "unknown_account", "negative_seats", "unknown_value", "duplicate"],
    "seat_assignments": ["missing_key", "unknown_account", "invalid_interval", "duplicate"],
    "interventions": ["missing_key", "unknown_account", "unknown_value", "duplicate"],
    "events": [
        "duplicate_exact", "duplicate", "missing_event_id", "missing_occurred_at", "unknown_account",
        "user_account_mismatch", "future_timestamp", "near_signup", "before_signup", "malformed_properties",
    ],
}


def _nullable(t: np.ndarray) -> np.ndarray:
    return np.where(t < NEVER, t, NULL)


def _concat(parts: list) -> np.ndarray | pa.Array:
    if isinstance(parts[0], pa.Array):
        return pa.concat_arrays(parts)
    return np.concatenate(parts)


# ----------------------------------------------------------------------------- output


def _id_array(prefix: str, width: int, nums: np.ndarray) -> pa.Array:
    """Fixed-width ids (prefix + zero-padded number) built byte-wise; negative numbers are null."""
    n = len(nums)
    head = prefix.encode()
    size = len(head) + width
    buf = np.empty((n, size), dtype=np.uint8)
    buf[:, : len(head)] = np.frombuffer(head, np.uint8)
    x = np.maximum(nums, 0).astype(np.int64)
    for i in range(size - 1, len(head) - 1, -1):
        x, digit = np.divmod(x, 10)
        buf[:, i] = digit + 48
    offsets = np.arange(0, (n + 1) * size, size, dtype=np.int32)
    valid = nums >= 0
    null_count = int(n - valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if null_count else None
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf), bitmap, null_count)


def _vocab_array(vocab: list, codes: np.ndarray) -> pa.Array:
    return pa.array(vocab, pa.string()).take(pa.array(codes))


def _ts_array(t: np.ndarray, unit: str) -> pa.Array:
    mask = t < 0
    return pa.array(np.where(mask, 0, t).astype("datetime64[s]"), mask=mask if mask.any() else None).cast(pa.timestamp(unit))


class Writer:
    """Appends chunk frames to <out>/<table>.csv or .parquet, in raw_schema column order."""

    def __init__(self, cfg: Config, out: Path, fmt: str):
        self.fmt = fmt
        self.unit = "s" if fmt == "csv" else "us"
        self.cfg = cfg
        out.mkdir(parents=True, exist_ok=True)
        self.schemas = {name: self._schema(t) for name, t in TABLES.items()}
        self.sinks = {}
        for name, schema in self.schemas.items():
            path = out / f"{name}.{fmt}"
            if fmt == "csv":
                self.sinks[name] = pacsv.CSVWriter(path, schema)
            else:
                self.sinks[name] = pq.ParquetWriter(path, schema, compression="zstd")
        self.rows = dict.fromkeys(TABLES, 0)

    def _schema(self, table) -> pa.Schema:
        types = {"VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp(self.unit), "BOOLEAN": pa.bool_(), "BIGINT": pa.int64()}
        return pa.schema([(c.name, types[c.sql_type]) for c in table.columns])

    def _column(self, name: str, values) -> pa.Array:
        if isinstance(values, pa.Array):
            return values
        if name in ID_PREFIX:
            prefix, width = ID_PREFIX[name]
            return _id_array(prefix, self.cfg.account_width if width is None else width, values)
        if name in VOCABULARIES:
            return _vocab_array(VOCABULARIES[name], values)
        if name.endswith("_at"):
            return _ts_array(values, self.unit)
        if name.startswith("is_"):
            return pa.array(values.astype(bool))
        return pa.array(values, pa.int64())

    def write(self, frames: dict) -> None:
        for name, frame in frames.items():
            schema = self.schemas[name]
            table = pa.table([self._column(f.name, frame[f.name]) for f in schema], schema=schema)
            self.sinks[name].write_table(table)
            self.rows[name] += table.num_rows

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.close()


ID_PREFIX = {
    "account_id": ("acc_", None),
    "user_id": ("usr_", 8),
    "invited_by_user_id": ("usr_", 8),
    "subscription_change_id": ("sub_", 8),
    "seat_assignment_id": ("seat_", 8),
    "event_id": ("evt_", 10),
    "intervention_id": ("itv_", 8),
}
VOCABULARIES = {
    "vertical": VERTICAL_LABELS,
    "motion": MOTIONS,
    "role": ROLES,
    "status": STATUSES,
    "channel": CHANNELS,
    "campaign": CAMPAIGNS,
    "event_name": EVENT_NAMES,
    "properties": PROPERTIES,
}


# ----------------------------------------------------------------------------- driver


def signup_times(cfg: Config) -> np.ndarray:
    """All signups, sorted: exponential growth over the period, quieter weekends, business hours."""
    rng = np.random.default_rng([cfg.seed, 0])
    days = np.arange(cfg.start_ts // DAY, cfg.end_ts // DAY)
    growth = np.exp(np.log(3.0) * np.linspace(0, 1, len(days)))
    weight = growth * np.where((days + 3) % 7 >= 5, 0.45, 1.0)
    day = rng.choice(days, cfg.accounts, p=weight / weight.sum())
    local = _local_hour_seconds(rng, cfg.accounts) - rng.choice(TIMEZONES, cfg.accounts, p=TIMEZONE_P) * HOUR
    t = np.clip(day * DAY + local, cfg.start_ts, cfg.end_ts - DAY // 2)
    return np.sort(t)


def generate(cfg: Config, out: Path, fmt: str, progress: bool = False) -> dict[str, int]:
    """Simulate all chunks and write them; returns rows written per table."""
    writer = Writer(cfg, out, fmt)
    signups = signup_times(cfg)
    counters = dict.fromkeys(TABLES, 0)
    pending: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def drain() -> None:
        while (frames := pending.get()) is not None:
            if not failure:
                try:
                    writer.write(frames)
                except BaseException as exc:  # surfaced in the main thread
                    failure.append(exc)

    thread = threading.Thread(target=drain, name="writer", daemon=True)
    thread.start()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=cfg.accounts, unit="acct", desc=f"generating {fmt}")
    try:
        for chunk in range(cfg.n_chunks):
            lo, hi = chunk * CHUNK_ACCOUNTS, min((chunk + 1) * CHUNK_ACCOUNTS, cfg.accounts)
            pending.put(ChunkSimulator(cfg, chunk, signups[lo:hi], lo, counters).simulate())
            if failure:
                break
            if bar is not None:
                bar.update(hi - lo)
    finally:
        pending.put(None)
        thread.join()
        writer.close()
        if bar is not None:
            bar.close()
    if failure:
        raise failure[0]
    return writer.rows


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small",
                        help="small: 2,000 accounts (~1M events); medium: 20,000 (~11M); large: 100,000 (~56M); "
                        "xlarge: 400,000 (~227M)")
    parser.add_argument("--accounts", type=int, help="number of accounts (overrides the preset; events scale with it)")
    parser.add_argument("--start-date", type=_date, help=f"first signup date (default: end date - {DEFAULT_HISTORY_DAYS} days)")
    parser.add_argument("--end-date", type=_date, help="last day with data (default: yesterday, UTC)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="output directory (default: data/raw)")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--dirty-rate", type=float, default=0.005, help="share of extra bad rows per table (0 = none)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    args = parser.parse_args(argv)
    if args.accounts is not None and args.accounts < 1:
        parser.error("--accounts must be at least 1")
    if not 0 <= args.dirty_rate < 0.5:
        parser.error("--dirty-rate must be in [0, 0.5)")
    args.end_date = args.end_date or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    args.start_date = args.start_date or args.end_date - dt.timedelta(days=DEFAULT_HISTORY_DAYS)
    if args.start_date > args.end_date:
        parser.error("--start-date must not be after --end-date")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = Config(
        accounts=args.accounts or PRESETS[args.preset],
        start=args.start_date,
        end=args.end_date,
        seed=args.seed,
        dirty_rate=args.dirty_rate,
    )
    began = time.monotonic()
    rows = generate(cfg, args.out, args.format, progress=not args.quiet and sys.stderr.isatty())
    if not args.quiet:
        summary = ", ".join(f"{t}={n:,}" for t, n in rows.items())
        print(f"wrote {args.out}/*.{args.format} in {time.monotonic() - began:.1f}s: {summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
