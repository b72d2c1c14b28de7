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
  static final int VERSION = 1;

  static final String LAYER_SAMPLES = "layer_samples";
  static final String MODEL_SAMPLES = "model_samples";

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
          "predicted_joules");

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
          "sum_of_layer_joules");

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
            PRIMARY KEY (hardware_profile, origin, sample_key)
          )""",
          """
          CREATE INDEX IF NOT EXISTS model_samples_by_model
            ON model_samples (hardware_profile, origin, model, config)""",
          "INSERT INTO schema_version (version) VALUES (" + VERSION + ") ON CONFLICT DO NOTHING");

  private SampleSchema() {}

  /**
   * Creates what is missing, in the caller's transaction, and returns the store's schema version.
   * (Migrations from older versions go here when there are any.)
   */
  static int create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : DDL) {
        statement.execute(sql);
      }
      try (ResultSet rs = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
        rs.next();
        return rs.getInt(1);
      }
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
