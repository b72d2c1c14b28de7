package io.jouleflow.predictor.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How sample times are written as text (database column, CSV, agent sample keys): ISO-8601 in UTC
 * with exactly nine fraction digits, so that text order is time order and nothing is rounded.
 */
final class SampleTime {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private SampleTime() {}

  static String format(Instant time) {
    return FORMAT.format(time);
  }

  /** Any ISO-8601 instant ({@code 2025-03-01T12:00:00Z} as well as the nine-digit form). */
  static Instant parse(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO-8601 instant: " + text, e);
    }
  }
}
