package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * What a RUNNING node does when one of its dependencies crashes or is lost ({@code
 * on-dependency-failure}). {@code KEEP} (the default): it runs on. {@code STOP}: it is stopped while
 * the dependency is not RUNNING, and started again once it is (systemd's {@code BindsTo=}).
 * {@code RESTART}: it runs on, and is restarted once the dependency runs again as a new incarnation
 * (systemd's {@code PartOf=}), so that it reconnects to the new one.
 */
public enum DependencyFailure {
  KEEP,
  RESTART,
  STOP;

  /** Reads {@code keep}, {@code restart} or {@code stop}, in any case. */
  @JsonCreator
  public static DependencyFailure of(String text) {
    String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
    for (DependencyFailure value : values()) {
      if (value.name().equals(name)) {
        return value;
      }
    }
    throw new IllegalArgumentException("on-dependency-failure must be keep, restart or stop, not '"
        + Names.abbreviate(String.valueOf(text)) + "'");
  }

  /** How site files spell it. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }
}
