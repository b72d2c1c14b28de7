package io.jouleflow.predictor.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables of the sample store, in SQL that SQLite (3.24 and later) and PostgreSQL both accept:
 * {@code CREATE ... IF NOT EXISTS}, the types TEXT, INTEGER, BIGINT and DOUBLE PRECISION, and
 * {@code INSERT ... ON CONFLICT DO NOTHING}.
 *
 * <p>Each table's primary key is (hardware_profile, origin, sample_key): one row per sample, so a
 * sample written twice (a resumed collect run, an agent flushing a window again) is kept once.
 * {@code sample_key} is NOT NULL because SQL treats NULLs as distinct in a key.
 */
final class SampleSchema {

  /** The schema this code writes; a store with a higher version was made by a newer jouleflow. */
  static final int VERSION = 2;

  static final String LAYER_SAMPLES = "layer_samples";
  static final String MODEL_SAMPLES = "model_samples";
  static final String HARDWARE_PROFILES = "hardware_profiles";

  /** Columns of {@code layer_samples}, in insert and select order. */
  static final List<String> LAYER_COLUMNS =
      List.of(
          "observed_at",
          "hardware_profile",
          "meter_source",
          "origin",
          "sample_key",
          "model",
          "config",
          "layer",
          "layer_type",
          "features",
          "batch_size",
          "joules_per_inference",
          "seconds_per_inference",
          "runs_averaged",
          "predicted_joules",
          "protocol");

  /** Columns of {@code model_samples}, in insert and select order. */
  static final List<String> MODEL_COLUMNS =
      List.of(
          "observed_at",
          "hardware_profile",
          "meter_source",
          "origin",
          "sample_key",
          "model",
          "config",
          "batch_size",
          "joules_per_inference",
          "seconds_per_inference",
          "runs_averaged",
          "predicted_joules",
          "layer_count",
          "additivity_factor",
          "sum_of_layer_joules",
          "protocol",
          "other_cpu_share",
          "steal_share");

  /** Columns added after version 1: files and rows from before may lack them. */
  static final List<String> ADDED_COLUMNS = List.of("protocol", "other_cpu_share", "steal_share");

  static final List<String> DDL =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER NOT NULL PRIMARY KEY
          )""",
          """
          CREATE TABLE IF NOT EXISTS layer_samples (
            observed_at TEXT NOT NULL,
            hardware_profile TEXT NOT NULL,
            meter_source TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('collect', 'agent')),
            sample_key TEXT NOT NULL,
            model TEXT NOT NULL,
            config TEXT NOT NULL,
            layer TEXT NOT NULL,
            layer_type TEXT NOT NULL,
            features TEXT NOT NULL,
            batch_size INTEGER NOT NULL,
            joules_per_inference DOUBLE PRECISION,
            seconds_per_inference DOUBLE PRECISION,
            runs_averaged BIGINT NOT NULL,
            predicted_joules DOUBLE PRECISION,
            protocol TEXT NOT NULL DEFAULT 'isolated',
            PRIMARY KEY (hardware_profile, origin, sample_key)
          )""",
          """
          CREATE INDEX IF NOT EXISTS layer_samples_by_model
            ON layer_samples (hardware_profile, model, config)""",
          """
          CREATE TABLE IF NOT EXISTS model_samples (
            observed_at TEXT NOT NULL,
            hardware_profile TEXT NOT NULL,
            meter_source TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('collect', 'agent')),
            sample_key TEXT NOT NULL,
            model TEXT NOT NULL,
            config TEXT NOT NULL,
            batch_size INTEGER NOT NULL,
            joules_per_inference DOUBLE PRECISION,
            seconds_per_inference DOUBLE PRECISION,
            runs_averaged BIGINT NOT NULL,
            predicted_joules DOUBLE PRECISION,
            layer_count INTEGER NOT NULL,
            additivity_factor DOUBLE PRECISION,
            sum_of_layer_joules DOUBLE PRECISION,
            protocol TEXT NOT NULL DEFAULT 'isolated',
            other_cpu_share DOUBLE PRECISION,
            steal_share DOUBLE PRECISION,
            PRIMARY KEY (hardware_profile, origin, sample_key)
          )""",
          """
          CREATE INDEX IF NOT EXISTS model_samples_by_model
            ON model_samples (hardware_profile, origin, model, config)""",
          // What each profile is, as numbers (hardware features); added within version 2: an
          // older jouleflow reads the sample tables as before and ignores this one.
          """
          CREATE TABLE IF NOT EXISTS hardware_profiles (
            hardware_profile TEXT NOT NULL PRIMARY KEY,
            described_at TEXT NOT NULL,
            description TEXT NOT NULL
          )""",
          "INSERT INTO schema_version (version) VALUES (1) ON CONFLICT DO NOTHING");

  /**
   * Version 1 to 2: the measurement protocol of each row (agent rows were always in place, collect
   * rows isolated) and the machine's load during a whole-model measurement.
   */
  private static final List<String[]> ADDED_IN_2 =
      List.of(
          new String[] {LAYER_SAMPLES, "protocol", "TEXT NOT NULL DEFAULT 'isolated'"},
          new String[] {MODEL_SAMPLES, "protocol", "TEXT NOT NULL DEFAULT 'isolated'"},
          new String[] {MODEL_SAMPLES, "other_cpu_share", "DOUBLE PRECISION"},
          new String[] {MODEL_SAMPLES, "steal_share", "DOUBLE PRECISION"});

  private SampleSchema() {}

  /**
   * Creates what is missing and migrates an older store to {@link #VERSION}, in the caller's
   * transaction, and returns the store's schema version.
   */
  static int create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : DDL) {
        statement.execute(sql);
      }
      int version = version(statement);
      if (version < 2) {
        for (String[] column : ADDED_IN_2) {
          if (!hasColumn(connection, column[0], column[1])) {
            statement.execute("ALTER TABLE " + column[0] + " ADD COLUMN " + column[1] + " " + column[2]);
          }
        }
        statement.execute("UPDATE layer_samples SET protocol = 'inplace' WHERE origin = 'agent'");
        statement.execute("UPDATE model_samples SET protocol = 'inplace' WHERE origin = 'agent'");
        statement.execute("INSERT INTO schema_version (version) VALUES (2) ON CONFLICT DO NOTHING");
        version = version(statement);
      }
      return version;
    }
  }

  private static int version(Statement statement) throws SQLException {
    try (ResultSet rs = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static boolean hasColumn(Connection connection, String table, String column)
      throws SQLException {
    try (ResultSet rs = connection.getMetaData().getColumns(null, null, table, column)) {
      return rs.next();
    }
  }

  static String insert(String table, List<String> columns) {
    return "INSERT INTO "
        + table
        + " ("
        + String.join(", ", columns)
        + ") VALUES ("
        + String.join(", ", columns.stream().map(c -> "?").toList())
        + ") ON CONFLICT DO NOTHING";
  }

  static String select(String table, List<String> columns) {
    return "SELECT " + String.join(", ", columns) + " FROM " + table;
  }
}
