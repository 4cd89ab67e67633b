"""The local Spark session of the `spark` target: the same settings as `profiles.yml` (output
`spark`), from the same environment variables, so that the raw loader and dbt (dbt-spark session
mode) see one warehouse directory and one metastore.

* ``ACTIVATION_SPARK_WAREHOUSE_DIR`` (required): where Spark writes the Parquet files of every
  table. Never the project root.
* ``ACTIVATION_SPARK_METASTORE_DIR`` (default ``<warehouse dir>_metastore``): the Derby
  metastore (the catalog of schemas and tables) and its ``derby.log``. An embedded Derby
  metastore can be opened by one process at a time: load, then build, one after the other; or
  share one in-process session (``get_session()``), as the tests do.
* ``ACTIVATION_SPARK_MASTER`` (default ``local[2]``), ``ACTIVATION_SPARK_SHUFFLE_PARTITIONS``
  (default 2: on small data, per-task overhead dominates), ``ACTIVATION_SPARK_DRIVER_MEMORY``
  (default 2g).

dbt-spark's session mode calls ``SparkSession.builder.enableHiveSupport()...getOrCreate()``, which
returns the session already running in the process: a process that loads and then runs dbt
in-process (tests/python) starts Spark once.
"""

from __future__ import annotations

import os
from pathlib import Path

WAREHOUSE_ENV_VAR = "ACTIVATION_SPARK_WAREHOUSE_DIR"
METASTORE_ENV_VAR = "ACTIVATION_SPARK_METASTORE_DIR"


class SparkConfigError(Exception):
    """The environment does not say where the Spark warehouse lives."""


def warehouse_dir() -> Path:
    value = os.environ.get(WAREHOUSE_ENV_VAR)
    if not value:
        raise SparkConfigError(
            f"{WAREHOUSE_ENV_VAR} is not set: it names the directory of the Spark warehouse's "
            "Parquet files (never the project root), e.g. /srv/activation/spark-warehouse"
        )
    return Path(value)


def metastore_dir() -> Path:
    return Path(os.environ.get(METASTORE_ENV_VAR) or f"{warehouse_dir()}_metastore")


def settings() -> dict[str, str]:
    """The Spark settings of the `spark` target (profiles.yml server_side_parameters)."""
    metastore = metastore_dir()
    return {
        "spark.master": os.environ.get("ACTIVATION_SPARK_MASTER", "local[2]"),
        "spark.sql.warehouse.dir": str(warehouse_dir()),
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={metastore}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={metastore}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get("ACTIVATION_SPARK_SHUFFLE_PARTITIONS", "2"),
        "spark.ui.enabled": "false",
        "spark.driver.memory": os.environ.get("ACTIVATION_SPARK_DRIVER_MEMORY", "2g"),
        # what dbt-spark sets on every session (dbt/adapters/spark/connections.py)
        "spark.sql.ansi.enabled": "false",
    }


def get_session():
    """The process's Spark session with the `spark` target's settings (started on first use)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("activation").enableHiveSupport()
    for key, value in settings().items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
