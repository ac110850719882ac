package io.shepherd.protocol;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in params and on command lines: {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
public final class Durations {

  private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,12})\\s*(ms|s|m|h)\\s*");

  private Durations() {}

  /** The duration {@code text} says, or empty if it is not one. */
  public static Optional<Duration> parse(String text) {
    Matcher m = text == null ? null : DURATION.matcher(text);
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    return Optional.of(switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    });
  }
}
