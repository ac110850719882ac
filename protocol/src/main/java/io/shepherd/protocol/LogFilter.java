package io.shepherd.protocol;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Which log records a subscriber or a tail query wants.
 *
 * @param node a glob over node paths ({@code *} within a path segment, {@code **} across them, e.g.
 *     {@code daq1/acq/*}); null: every record, members' own included
 * @param minLevel the lowest level wanted; null: all
 * @param sinceMicros only records written at or after this time (microseconds since the epoch); null: no limit
 */
public record LogFilter(String node, LogLevel minLevel, Long sinceMicros) implements CborSerializable {

  /** Longest glob accepted. */
  public static final int MAX_GLOB = 256;

  public LogFilter {
    if (node != null && (node.isBlank() || node.length() > MAX_GLOB || !node.matches("[A-Za-z0-9_.*/-]+"))) {
      throw new IllegalArgumentException("node glob '" + Names.abbreviate(String.valueOf(node)) + "' is not valid; use a node "
          + "path with * (within a segment) or ** (across segments), e.g. daq1/acq/* or */acq/**");
    }
  }

  /**
   * A {@code since} as people write it, in microseconds since the epoch: an ISO instant
   * ({@code 2026-11-22T10:15:00Z}) or a time ago ({@code 30s}, {@code 10m}, {@code 2h}).
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static long sinceMicros(String text) {
    try {
      return Instant.parse(text).toEpochMilli() * 1000;
    } catch (DateTimeParseException | NullPointerException e) {
      Duration ago = Durations.parse(text).orElseThrow(() -> new IllegalArgumentException("since must be an ISO instant such as "
          + "2026-11-22T10:15:00Z or a time ago such as 30s or 10m, got '" + Names.abbreviate(String.valueOf(text)) + "'"));
      return (Instant.now().toEpochMilli() - ago.toMillis()) * 1000;
    }
  }

  /** Everything. */
  public static LogFilter all() {
    return new LogFilter(null, null, null);
  }

  /** A compiled filter. */
  public Predicate matcher() {
    return new Predicate(this);
  }

  /** The filter as a test of records. */
  public static final class Predicate implements java.util.function.Predicate<LogRecord> {
    private final Pattern node;
    private final LogLevel minLevel;
    private final Long since;

    Predicate(LogFilter filter) {
      this.node = filter.node() == null ? null : glob(filter.node());
      this.minLevel = filter.minLevel();
      this.since = filter.sinceMicros();
    }

    @Override
    public boolean test(LogRecord record) {
      return (minLevel == null || record.level().ordinal() >= minLevel.ordinal())
          && (since == null || record.micros() >= since)
          && (node == null || (record.node() != null && node.matcher(record.node()).matches()));
    }
  }

  /**
   * A glob over node paths as a pattern: {@code *} within a path segment, {@code **} across them.
   * The glob must have passed this record's check (letters, digits, {@code _.-*}/).
   */
  public static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
