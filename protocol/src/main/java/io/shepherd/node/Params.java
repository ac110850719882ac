package io.shepherd.node;

import io.shepherd.protocol.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A node's parameters: strings by name, with typed getters whose errors name the parameter, the
 * value found and what was expected.
 */
public final class Params {

  private final Map<String, String> values;

  public Params(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public Map<String, String> asMap() {
    return values;
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String getString(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** The value of a required parameter. */
  public String require(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("param '" + name + "' is required");
    }
    return value;
  }

  public int getInt(String name, int fallback) {
    return (int) getLong(name, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  public long getLong(String name, long fallback) {
    return getLong(name, fallback, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** A whole number within {@code [min, max]}. */
  public long getLong(String name, long fallback, long min, long max) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("param '" + name + "' must be a whole number, got '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException("param '" + name + "' must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  public double getDouble(String name, double fallback) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      double parsed = Double.parseDouble(value.trim());
      if (Double.isNaN(parsed) || Double.isInfinite(parsed)) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("param '" + name + "' must be a finite number, got '" + value + "'");
    }
  }

  public boolean getBoolean(String name, boolean fallback) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("param '" + name + "' must be true or false, got '" + value + "'");
    };
  }

  /** A duration written like {@code 250ms}, {@code 2s}, {@code 1m} or {@code 1h}. */
  public Duration getDuration(String name, Duration fallback) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    return Durations.parse(value).orElseThrow(() -> new IllegalArgumentException("param '" + name
        + "' must be a duration like 250ms, 2s, 1m or 1h, got '" + value + "'"));
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
