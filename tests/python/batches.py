"""Split a generated raw directory into nightly batches by `_loaded_at`, the way an extract-load
tool would have delivered it, and make the later batches awkward on purpose:

* **late events**: some events of the first batch (occurred days before its end) are moved to a
  later batch, as if a sync had missed them (`_loaded_at` set inside the later batch);
  the natural delivery lag of the generator adds more;
* **re-exports**: copies of existing users (role changed, or joined_at set/moved), subscription
  changes (licensed_seats changed), accounts (vertical changed, and every other one signed
  up a day later) and interventions (sent two
  days earlier, or five hours earlier to the whole account: the prompt window moves off the
  events it prompted and onto others), with a later `_loaded_at`, which must win over the
  earlier copy; then, for the users and accounts (`restored`), the original row once more in
  the next batch, which wins again (a key whose new winner is an older content is still a
  change); and copies of existing events received a minute earlier (so they win), which move
  the event two days back, move it to another account as a
  system event, or give it an unknown user (so the key drops out as rejected).

Batch i holds the rows with cutoffs[i-1] <= _loaded_at < cutoffs[i] (batch 1 from the start,
the last batch open-ended), written as CSV in the load_raw format to out_dir/batch_<i>/.
Everything is deterministic for a given input.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

TABLES = ("accounts", "users", "subscriptions", "seat_assignments", "events", "interventions")
TS = "%Y-%m-%d %H:%M:%S"


def _ts(value: dt.datetime) -> str:
    return value.strftime(TS)


def split_by_loaded_at(raw_dir: Path, out_dir: Path, cutoffs: list[str], *, late_events: int = 30,
                       reexport_users: int = 24, reexport_subscriptions: int = 12,
                       reexport_accounts: int = 3, reexport_events: int = 30,
                       reexport_interventions: int = 12, restored: tuple[str, ...] = ("users", "accounts")) -> list[Path]:
    bounds = [dt.datetime.fromisoformat(c) for c in cutoffs]
    n_batches = len(bounds) + 1
    con = duckdb.connect(":memory:")
    try:
        for table in TABLES:
            con.execute(f"create table {table} as select * from read_csv('{raw_dir / (table + '.csv')}', "
                        "header = true, all_varchar = true)")
            con.execute(f"alter table {table} add column batch integer")
            case = " ".join(f"when try_cast(_loaded_at as timestamp) < timestamp '{_ts(b)}' then {i + 1}"
                            for i, b in enumerate(bounds))
            con.execute(f"update {table} set batch = case {case} else {n_batches} end")

        def start_of(batch: int, plus_hours: int) -> str:
            return _ts(bounds[batch - 2] + dt.timedelta(hours=plus_hours))

        later = list(range(2, n_batches + 1))
        # late events: moved from batch 1 to a later batch, occurred at least two days before batch 1 ends
        con.execute(f"""
            create temp table late as
            select event_id, row_number() over (order by hash(event_id)) as n
            from events
            where batch = 1 and event_id is not null
                and try_cast(occurred_at as timestamp) < timestamp '{_ts(bounds[0] - dt.timedelta(days=2))}'
            qualify row_number() over (partition by event_id order by _loaded_at) = 1
            order by hash(event_id)
            limit {late_events}
        """)
        for i, batch in enumerate(later):
            con.execute(f"""
                update events set batch = {batch}, _loaded_at = '{start_of(batch, 1)}'
                where batch = 1 and event_id in (select event_id from late where n % {len(later)} = {i})
            """)

        # re-exports of users, subscription changes, accounts, events and interventions into the
        # later batches
        reexports = {
            "users": ("user_id", reexport_users, """
                role = case when n % 2 = 0 then case role when 'member' then 'guest' when 'guest' then 'member'
                                                          when 'admin' then 'member' else role end
                            else role end,
                joined_at = case when n % 2 = 1 then strftime(coalesce(
                                    try_cast(joined_at as timestamp) + interval 1 hour,
                                    try_cast(invited_at as timestamp) + interval 2 day), '%Y-%m-%d %H:%M:%S')
                                 else joined_at end"""),
            "subscriptions": ("subscription_change_id", reexport_subscriptions, """
                licensed_seats = cast(try_cast(licensed_seats as bigint) + 2 as varchar)"""),
            "accounts": ("account_id", reexport_accounts, """
                vertical = case vertical when 'analytics' then 'crm' when 'crm' then 'devtools'
                                         else 'analytics' end,
                created_at = case when n % 2 = 1
                                  then strftime(try_cast(created_at as timestamp) + interval 1 day, '%Y-%m-%d %H:%M:%S')
                                  else created_at end"""),
            "events": ("event_id", reexport_events, """
                received_at = strftime(try_cast(received_at as timestamp) - interval 1 minute, '%Y-%m-%d %H:%M:%S'),
                occurred_at = case when n % 3 = 0
                                   then strftime(try_cast(occurred_at as timestamp) - interval 2 day, '%Y-%m-%d %H:%M:%S')
                                   else occurred_at end,
                account_id = case when n % 3 = 1 then (select min(account_id) from accounts) else account_id end,
                user_id = case n % 3 when 1 then null when 2 then 'unknown-user' else user_id end"""),
            "interventions": ("intervention_id", reexport_interventions, """
                sent_at = strftime(try_cast(sent_at as timestamp)
                                   - case when n % 2 = 0 then interval 2 day else interval 5 hour end,
                                   '%Y-%m-%d %H:%M:%S'),
                user_id = case when n % 2 = 1 then null else user_id end"""),
        }
        for table, (key, count, changes) in reexports.items():
            con.execute(f"""
                create temp table re_{table} as
                select *, row_number() over (order by hash({key})) as n
                from {table}
                where batch = 1 and {key} is not null
                qualify row_number() over (partition by {key} order by _loaded_at desc) = 1
                order by hash({key})
                limit {count}
            """)
            for i, batch in enumerate(later):
                con.execute(f"update re_{table} set batch = {batch}, _loaded_at = '{start_of(batch, 2)}' "
                            f"where n % {len(later)} = {i}")
            con.execute(f"create temp table original_{table} as select * from re_{table}")
            con.execute(f"update re_{table} set {changes}")
            con.execute(f"insert into {table} select * exclude (n) from re_{table}")
            if table in restored and len(later) > 1:
                # the batch after a re-export delivers the original row again: an older content
                # that wins over the newer one, so the key changes although its content is not new
                restored_at = " ".join(f"when {batch} then '{start_of(batch + 1, 3)}'" for batch in later[:-1])
                con.execute(f"""
                    insert into {table} by name
                    select * exclude (n) replace (batch + 1 as batch, case batch {restored_at} end as _loaded_at)
                    from original_{table}
                    where batch < {n_batches}
                """)

        dirs = []
        for batch in range(1, n_batches + 1):
            target = out_dir / f"batch_{batch}"
            target.mkdir(parents=True, exist_ok=True)
            for table in TABLES:
                con.execute(f"copy (select * exclude (batch) from {table} where batch = {batch} "
                            f"order by _loaded_at) to '{target / (table + '.csv')}' (header, delimiter ',')")
            dirs.append(target)
        return dirs
    finally:
        con.close()


def late_event_count(batch_dirs: list[Path]) -> list[int]:
    """Per batch after the first: events whose occurred_at is older than the newest event of the
    batches before it."""
    con = duckdb.connect(":memory:")
    try:
        counts = []
        newest = None
        for d in batch_dirs:
            rel = f"read_csv('{d / 'events.csv'}', header = true, all_varchar = true)"
            if newest is not None:
                counts.append(con.execute(
                    f"select count(*) from {rel} where try_cast(occurred_at as timestamp) < ?", [newest]).fetchone()[0])
            batch_newest = con.execute(f"select max(try_cast(occurred_at as timestamp)) from {rel}").fetchone()[0]
            newest = batch_newest if newest is None else max(newest, batch_newest)
        return counts
    finally:
        con.close()
