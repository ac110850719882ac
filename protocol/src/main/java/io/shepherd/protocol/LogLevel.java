package io.shepherd.protocol;

import java.util.Locale;

/** The level of a log record, lowest first. */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR;

  /**
   * Parses a level name, case-insensitively ({@code warning} is WARN).
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static LogLevel parse(String text) {
    if (text != null) {
      String upper = text.trim().toUpperCase(Locale.ROOT);
      if (upper.equals("WARNING")) {
        return WARN;
      }
      for (LogLevel level : values()) {
        if (level.name().equals(upper)) {
          return level;
        }
      }
    }
    throw new IllegalArgumentException("unknown log level '" + (text == null ? "" : Names.abbreviate(text))
        + "'; use one of TRACE, DEBUG, INFO, WARN, ERROR");
  }
}
